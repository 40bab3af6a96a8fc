// Builds the Teams app package: manifest.json (with the bot's app id and domain filled in) and the two
// icons, zipped at the top level as Teams expects. `npm run package:teams`; upload the zip in Teams
// (Apps → Manage your apps → Upload an app) or in the Teams admin centre.
//   MICROSOFT_APP_ID   the Azure Bot's app id (required; used as the Teams app id and the bot id)
//   TEAMS_BOT_DOMAIN   the host name the bot is served on, e.g. partnerbot.example.org (optional)
//   TEAMS_WEBSITE_URL  https address for the developer links (default https://<TEAMS_BOT_DOMAIN>)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import JSZip from 'jszip';

const HERE = import.meta.dirname;
export const DEFAULT_OUT = join(HERE, 'build', 'partnerbot-teams.zip');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?!-)[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+$/i;

export interface PackageOptions {
  appId: string;
  botDomain?: string | undefined;
  websiteUrl?: string | undefined;
  outFile?: string;
}

export class PackageError extends Error {
  override name = 'PackageError';
}

/** The manifest with the app id, website and domain filled in. */
export function fillManifest(o: PackageOptions): Record<string, unknown> {
  if (!GUID.test(o.appId)) throw new PackageError(`MICROSOFT_APP_ID must be the Azure Bot's app id, a GUID like 00000000-0000-0000-0000-000000000000 (got "${o.appId}").`);
  const domain = o.botDomain?.trim().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (domain && !DOMAIN.test(domain)) throw new PackageError(`TEAMS_BOT_DOMAIN must be a host name like partnerbot.example.org (got "${o.botDomain}").`);
  const website = (o.websiteUrl?.trim() || (domain ? `https://${domain}` : 'https://example.org/partnerbot')).replace(/\/+$/, '');
  if (!/^https:\/\/\S+$/.test(website)) throw new PackageError(`TEAMS_WEBSITE_URL must start with https:// (got "${o.websiteUrl}").`);
  const raw = readFileSync(join(HERE, 'manifest.json'), 'utf8')
    .replaceAll('{{MICROSOFT_APP_ID}}', o.appId.toLowerCase())
    .replaceAll('{{WEBSITE_URL}}', website);
  const manifest = JSON.parse(raw) as { validDomains: string[] };
  if (domain && !manifest.validDomains.includes(domain)) manifest.validDomains.push(domain);
  return manifest as unknown as Record<string, unknown>;
}

export async function buildTeamsPackage(o: PackageOptions): Promise<{ file: string; manifest: Record<string, unknown> }> {
  const manifest = fillManifest(o);
  const zip = new JSZip();
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  zip.file('color.png', readFileSync(join(HERE, 'color.png')));
  zip.file('outline.png', readFileSync(join(HERE, 'outline.png')));
  const file = o.outFile ?? DEFAULT_OUT;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return { file, manifest };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const { file } = await buildTeamsPackage({
      appId: process.env.MICROSOFT_APP_ID?.trim() ?? '',
      botDomain: process.env.TEAMS_BOT_DOMAIN,
      websiteUrl: process.env.TEAMS_WEBSITE_URL,
    });
    console.log(`Teams app package written to ${file}`);
  } catch (err) {
    console.error(err instanceof PackageError ? err.message : err);
    process.exitCode = 1;
  }
}
