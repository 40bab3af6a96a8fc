import { digestBench } from '../digest-fanout.ts';
process.env.DEBUG_DIGEST = '1';
await digestBench.run({ quick: true, log: (m: string) => console.error(m) }).catch((e) => console.error(String(e)));
process.exit(0);
