import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config, OpenDataConfig } from '../../config.js';
import type { Database } from '../../db/schema.js';
import { generateDownloads, readManifest, type Manifest } from './generate.js';
import { readDataVersion } from './queries.js';

export interface Debounce {
  quietSeconds: number;
  maxWaitSeconds: number;
}

/**
 * Whether the downloads are to be rebuilt now. Not on every change: a portal delivering 200 services
 * one after another would rebuild 200 times. Once the data have been quiet for `quietSeconds`, or
 * at the latest `maxWaitSeconds` after the last build while changes keep coming.
 */
export function shouldRegenerate(
  built: { version: number; at: Date } | null,
  current: { version: number; ageSeconds: number },
  now: Date,
  debounce: Debounce,
): boolean {
  if (!built) return true;
  if (current.version === built.version) return false;
  if (current.ageSeconds >= debounce.quietSeconds) return true;
  return (now.getTime() - built.at.getTime()) / 1000 >= debounce.maxWaitSeconds;
}

/** Where the files live: <ZSK_DATA_DIR>/opendata, or a directory of its own for an in-memory test app. */
export async function openDataDir(config: Config): Promise<{ dir: string; temporary: boolean }> {
  if (config.dataDir.startsWith('memory://')) {
    return { dir: await fsp.mkdtemp(path.join(tmpdir(), 'zsk-opendata-')), temporary: true };
  }
  return { dir: path.join(config.dataDir, 'opendata'), temporary: false };
}

/**
 * Keeps the downloads current: builds them when missing, checks the data version on a timer and
 * rebuilds as shouldRegenerate says. One build at a time; a check during a build does nothing.
 */
export class DownloadBuilder {
  private manifest: Manifest | null = null;
  private running: Promise<Manifest> | null = null;
  private queued: Promise<Manifest> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly db: Kysely<Database>,
    readonly dir: string,
    private readonly config: OpenDataConfig,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** The last build; builds first when there is none yet (first start, or files removed). */
  async current(): Promise<Manifest> {
    if (this.manifest) return this.manifest;
    const stored = await readManifest(this.dir);
    if (stored) {
      this.manifest = stored;
      return stored;
    }
    return this.regenerate();
  }

  /**
   * Builds now (tests, and the checks below). While a build runs, one more is queued after it: the
   * running one may have read the data before the change the caller wants in the files.
   */
  regenerate(now: Date = new Date()): Promise<Manifest> {
    if (this.stopped) return Promise.reject(new Error('Offene Daten: die Anwendung wird beendet'));
    if (this.running) {
      this.queued ??= this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.regenerate(now);
        });
      return this.queued;
    }
    const started = Date.now();
    this.running = generateDownloads(this.db, this.dir, this.config, now)
      .then((manifest) => {
        this.manifest = manifest;
        this.log.info(
          { version: manifest.version, files: manifest.files.length, ms: Date.now() - started },
          'Offene Daten: Downloads neu erzeugt',
        );
        return manifest;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /**
   * One check. `now` replaces the clock (tests); without it the age of the last change is measured by
   * the database's clock, the one that stamped it.
   */
  async tick(now?: Date): Promise<boolean> {
    if (this.running) return false;
    const built = this.manifest ?? (await readManifest(this.dir));
    const version = await readDataVersion(this.db);
    const ageSeconds = now ? (now.getTime() - version.changedAt.getTime()) / 1000 : version.ageSeconds;
    const clock = now ?? new Date();
    const due = shouldRegenerate(
      built ? { version: built.version, at: new Date(built.generatedAt) } : null,
      { version: version.version, ageSeconds },
      clock,
      this.config,
    );
    if (due) await this.regenerate(clock);
    return due;
  }

  start(): void {
    const every = Math.max(1, Math.min(this.config.quietSeconds, 10)) * 1000;
    this.timer = setInterval(() => {
      this.tick().catch((error: unknown) => {
        if (!this.stopped) this.log.warn({ err: error }, 'Offene Daten: Prüfung fehlgeschlagen');
      });
    }, every);
    // The checks never keep a process alive that is otherwise done (CLI, tests).
    this.timer.unref();
    void this.current().catch((error: unknown) => {
      if (!this.stopped) this.log.warn({ err: error }, 'Offene Daten: erste Erzeugung fehlgeschlagen');
    });
  }

  /** Stops the checks and waits for a build in progress, so the database is not closed under it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    await this.queued?.catch(() => undefined);
  }
}
