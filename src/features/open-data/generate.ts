import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { OpenDataConfig } from '../../config.js';
import { csvLine, type CsvCell } from '../../web/csv.js';
import { COUNT_COLUMNS, LICENSE, MASTER_DATA_COLUMNS } from './dictionary.js';
import {
  publishedCounts,
  publishedMasterData,
  publishedPeriod,
  publishedServiceKeys,
  readDataVersion,
  regionNames,
  type MasterDataRow,
} from './queries.js';

export type DownloadKind = 'counts' | 'counts-year' | 'master-data';

export interface DownloadFile {
  name: string;
  kind: DownloadKind;
  /** The calendar year of a per-year file. */
  year?: number;
  mediaType: string;
  /** Bytes of the file as served (compressed for .csv.gz). */
  bytes: number;
  sha256: string;
}

/** What the last build wrote; kept beside the files as manifest.json, replaced atomically. */
export interface Manifest {
  /** data_version.version the build started from. */
  version: number;
  /** When the data last changed before the build (data_version.changed_at). */
  dataChangedAt: string;
  generatedAt: string;
  /** First and last month with data, null without any. */
  period: { first: string; last: string } | null;
  files: DownloadFile[];
}

export const MANIFEST_NAME = 'manifest.json';
export const CSV_TYPE = 'text/csv; charset=utf-8';
export const GZIP_TYPE = 'application/gzip';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const countsFileName = (year?: number) =>
  year === undefined ? 'zsk-transaktionen.csv.gz' : `zsk-transaktionen-${year}.csv.gz`;
export const MASTER_DATA_CSV = 'zsk-onlinedienste.csv';
export const MASTER_DATA_XLSX = 'zsk-onlinedienste.xlsx';

const BOM = '\uFEFF';

/**
 * One file being written: to a temporary name beside its target, renamed over it once complete, so a
 * download in progress always reads a whole old or a whole new file. Writes wait for the stream to
 * drain, so a slow disk slows the query loop instead of filling memory.
 */
class FileSink {
  private readonly temp: string;
  private readonly out: fs.WriteStream;
  private readonly head: Writable;
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(
    private readonly dir: string,
    readonly name: string,
    gzip: boolean,
  ) {
    this.temp = path.join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
    this.out = fs.createWriteStream(this.temp);
    if (gzip) {
      const zip = createGzip();
      zip.on('data', (chunk: Buffer) => this.count(chunk));
      zip.pipe(this.out);
      this.head = zip;
    } else {
      this.head = this.out;
      const write = this.out.write.bind(this.out);
      // Plain files: hash what is written, as it is written.
      this.out.write = ((chunk: string | Buffer, ...rest: never[]) => {
        this.count(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
        return write(chunk, ...rest);
      }) as typeof this.out.write;
    }
  }

  private count(chunk: Buffer) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  async write(text: string): Promise<void> {
    if (!this.head.write(text)) await once(this.head, 'drain');
  }

  async finish(): Promise<{ bytes: number; sha256: string }> {
    const closed = once(this.out, 'close');
    this.head.end();
    await closed;
    await fsp.rename(this.temp, path.join(this.dir, this.name));
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  async abort(): Promise<void> {
    this.head.destroy();
    this.out.destroy();
    await fsp.rm(this.temp, { force: true });
  }
}

/** All counts in one file and one file per calendar year, written in a single pass over counts. */
async function writeCounts(db: Kysely<Database>, dir: string): Promise<DownloadFile[]> {
  const keys = await publishedServiceKeys(db);
  const regions = await regionNames(db);
  const header = BOM + csvLine(COUNT_COLUMNS.map((c) => c.name));
  const all = new FileSink(dir, countsFileName(), true);
  const years = new Map<number, FileSink>();
  try {
    await all.write(header);
    for await (const batch of publishedCounts(db)) {
      let text = '';
      const perYear = new Map<number, string>();
      for (const row of batch) {
        const k = keys.get(row.serviceId);
        const line = csvLine([
          row.serviceId,
          k?.leika ?? '',
          k?.ozg ?? '',
          row.ars,
          regions.get(row.ars) ?? '',
          row.month,
          row.count,
        ]);
        text += line;
        const year = Number(row.month.slice(0, 4));
        perYear.set(year, (perYear.get(year) ?? '') + line);
      }
      await all.write(text);
      for (const [year, lines] of perYear) {
        let sink = years.get(year);
        if (!sink) {
          sink = new FileSink(dir, countsFileName(year), true);
          years.set(year, sink);
          await sink.write(header);
        }
        await sink.write(lines);
      }
    }
    const files: DownloadFile[] = [
      { name: all.name, kind: 'counts', mediaType: GZIP_TYPE, ...(await all.finish()) },
    ];
    for (const year of [...years.keys()].sort((a, b) => a - b)) {
      const sink = years.get(year)!;
      files.push({
        name: sink.name,
        kind: 'counts-year',
        year,
        mediaType: GZIP_TYPE,
        ...(await sink.finish()),
      });
    }
    return files;
  } catch (error) {
    await Promise.all([all, ...years.values()].map((s) => s.abort()));
    throw error;
  }
}

function masterDataCells(r: MasterDataRow): CsvCell[] {
  return [
    r.id,
    r.name,
    r.url ?? '',
    r.authority ?? '',
    r.serviceType,
    r.buildMode === 'efa' ? 'EfA' : 'Eigenentwicklung',
    r.isFocus ? 'ja' : 'nein',
    r.granularity,
    r.description ?? '',
    r.leika,
    r.ozg,
    r.ozgNames,
    r.themenfelder,
    r.portals,
    r.firstMonth ?? '',
    r.lastMonth ?? '',
    r.total,
  ];
}

async function writeMasterData(
  db: Kysely<Database>,
  dir: string,
  config: OpenDataConfig,
  generatedAt: Date,
): Promise<DownloadFile[]> {
  const rows = await publishedMasterData(db);
  const csv = new FileSink(dir, MASTER_DATA_CSV, false);
  try {
    await csv.write(BOM + csvLine(MASTER_DATA_COLUMNS.map((c) => c.name)));
    for (const r of rows) await csv.write(csvLine(masterDataCells(r)));
  } catch (error) {
    await csv.abort();
    throw error;
  }
  const csvFile: DownloadFile = {
    name: MASTER_DATA_CSV,
    kind: 'master-data',
    mediaType: CSV_TYPE,
    ...(await csv.finish()),
  };

  const workbook = new ExcelJS.Workbook();
  workbook.creator = config.publisher;
  workbook.created = generatedAt;
  workbook.title = 'Onlinedienste der ZSK (Stammdaten)';
  const sheet = workbook.addWorksheet('Onlinedienste', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = MASTER_DATA_COLUMNS.map((c) => ({
    header: c.name,
    key: c.name,
    width: c.name === 'name' || c.name === 'behoerde' || c.name === 'url' ? 40 : 18,
  }));
  sheet.getRow(1).font = { bold: true };
  for (const r of rows) sheet.addRow(masterDataCells(r));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: MASTER_DATA_COLUMNS.length } };
  const notes = workbook.addWorksheet('Lizenz');
  notes.columns = [{ width: 30 }, { width: 90 }];
  notes.addRows([
    ['Lizenz', LICENSE.name],
    ['Lizenz-URL', LICENSE.url],
    ['Namensnennung', config.attribution],
    ['Stand', generatedAt.toISOString()],
  ]);
  const temp = path.join(dir, `.${MASTER_DATA_XLSX}.${randomBytes(4).toString('hex')}.tmp`);
  const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
  await fsp.writeFile(temp, buffer);
  await fsp.rename(temp, path.join(dir, MASTER_DATA_XLSX));
  const xlsxFile: DownloadFile = {
    name: MASTER_DATA_XLSX,
    kind: 'master-data',
    mediaType: XLSX_TYPE,
    bytes: buffer.length,
    sha256: createHash('sha256').update(buffer).digest('hex'),
  };
  return [csvFile, xlsxFile];
}

/**
 * Writes every download and then the manifest. The files are read outside one transaction (a long
 * transaction would hold the embedded database's only connection): a change during the build may
 * reach one file and not another, and since the build records the version it started from, the next
 * check sees the newer version and builds again.
 */
export async function generateDownloads(
  db: Kysely<Database>,
  dir: string,
  config: OpenDataConfig,
  now: Date = new Date(),
): Promise<Manifest> {
  await fsp.mkdir(dir, { recursive: true });
  const version = await readDataVersion(db);
  const period = await publishedPeriod(db);
  const files = [...(await writeCounts(db, dir)), ...(await writeMasterData(db, dir, config, now))];
  const manifest: Manifest = {
    version: version.version,
    dataChangedAt: version.changedAt.toISOString(),
    generatedAt: now.toISOString(),
    period,
    files,
  };
  const temp = path.join(dir, `.${MANIFEST_NAME}.${randomBytes(4).toString('hex')}.tmp`);
  await fsp.writeFile(temp, JSON.stringify(manifest, null, 2));
  await fsp.rename(temp, path.join(dir, MANIFEST_NAME));
  // A year whose counts were all retracted (or whose services were unpublished) loses its file.
  const keep = new Set([MANIFEST_NAME, ...files.map((f) => f.name)]);
  for (const name of await fsp.readdir(dir)) {
    if (!keep.has(name) && /^zsk-transaktionen-\d{4}\.csv\.gz$/.test(name)) {
      await fsp.rm(path.join(dir, name), { force: true });
    }
  }
  return manifest;
}

export async function readManifest(dir: string): Promise<Manifest | null> {
  try {
    return JSON.parse(await fsp.readFile(path.join(dir, MANIFEST_NAME), 'utf8')) as Manifest;
  } catch {
    return null;
  }
}
