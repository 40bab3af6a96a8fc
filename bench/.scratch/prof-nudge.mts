import { tickNudgesBench } from '../tick-nudges.ts';
await tickNudgesBench.run({ quick: true, log: (m: string) => console.error(m) });
process.exit(0);
