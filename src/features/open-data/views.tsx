import { DataTable } from '../../web/data-table.js';
import { Layout } from '../../web/layout.js';
import { formatDateTime, formatDecimal, formatInt } from '../../web/format.js';
import { monthLabel } from '../../web/labels.js';
import {
  COUNT_COLUMNS,
  DASHBOARD_COLUMNS,
  LICENSE,
  MASTER_DATA_COLUMNS,
  type ColumnDoc,
} from './dictionary.js';
import type { DownloadFile, Manifest } from './generate.js';

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${formatInt(bytes)} Byte`;
  if (bytes < 1024 * 1024) return `${formatDecimal(bytes / 1024)} KiB`;
  return `${formatDecimal(bytes / (1024 * 1024))} MiB`;
}

function describe(file: DownloadFile): { title: string; format: string } {
  if (file.kind === 'counts')
    return { title: 'Transaktionszahlen, alle Jahre', format: 'CSV, gzip-komprimiert' };
  if (file.kind === 'counts-year')
    return { title: `Transaktionszahlen ${file.year}`, format: 'CSV, gzip-komprimiert' };
  return file.name.endsWith('.xlsx')
    ? { title: 'Stammdaten der Onlinedienste', format: 'Excel (XLSX)' }
    : { title: 'Stammdaten der Onlinedienste', format: 'CSV' };
}

function Dictionary({
  id,
  caption,
  columns,
}: {
  id: string;
  caption: string;
  columns: readonly ColumnDoc[];
}) {
  return (
    <DataTable
      id={id}
      caption={caption}
      small
      columns={[
        { label: 'Spalte', nowrap: true },
        { label: 'Bedeutung' },
        { label: 'Beispiel', nowrap: true },
      ]}
    >
      {columns.map((c) => (
        <tr class="kern-table__row" key={c.name}>
          <td class="kern-table__cell">
            <code>{c.name}</code>
          </td>
          <td class="kern-table__cell">{c.meaning}</td>
          <td class="kern-table__cell">{c.example ? <code>{c.example}</code> : '–'}</td>
        </tr>
      ))}
    </DataTable>
  );
}

export function OpenDataPage({ manifest, attribution }: { manifest: Manifest; attribution: string }) {
  const period = manifest.period;
  return (
    <Layout title="Offene Daten" current="/opendata">
      <h1 class="kern-heading-large">Offene Daten</h1>
      <p class="kern-body">
        Die Zentrale Statistik-Komponente veröffentlicht die Nutzungszahlen aller veröffentlichten
        Onlinedienste als offene Daten: zum Herunterladen, über eine Programmierschnittstelle und als Katalog
        für Datenportale wie GovData. Die Dateien enthalten keine personenbezogenen Daten.
      </p>
      <p class="kern-body">
        Stand der Dateien: <strong>{formatDateTime(manifest.generatedAt)}</strong>
        {period ? (
          <>
            {' '}
            · Zeitraum: {monthLabel(period.first)} bis {monthLabel(period.last)}
          </>
        ) : (
          ' · noch keine Transaktionszahlen'
        )}
        . Die Dateien werden kurz nach jeder Änderung der Daten neu erzeugt.
      </p>

      <h2 class="kern-heading-medium">Downloads</h2>
      <DataTable
        id="downloads"
        caption="Dateien zum Herunterladen"
        columns={[
          { label: 'Datei' },
          { label: 'Inhalt' },
          { label: 'Format', nowrap: true },
          { label: 'Größe', numeric: true, nowrap: true },
        ]}
      >
        {manifest.files.map((f) => {
          const d = describe(f);
          return (
            <tr class="kern-table__row" key={f.name}>
              <td class="kern-table__cell">
                <a href={`/opendata/${f.name}`} download>
                  {f.name}
                </a>
              </td>
              <td class="kern-table__cell">{d.title}</td>
              <td class="kern-table__cell">{d.format}</td>
              <td class="kern-table__cell kern-table__cell--numeric">{formatSize(f.bytes)}</td>
            </tr>
          );
        })}
      </DataTable>

      <h2 class="kern-heading-medium">Lizenz</h2>
      <p class="kern-body">
        Alle Daten stehen unter der{' '}
        <a href={LICENSE.url} lang="de">
          {LICENSE.name}
        </a>{' '}
        (<code>{LICENSE.id}</code>). Sie dürfen sie frei nutzen, verändern und weitergeben, auch kommerziell,
        wenn Sie die Quelle so nennen:
      </p>
      <blockquote class="kern-body zsk-attribution">{attribution}</blockquote>

      <h2 class="kern-heading-medium">Export für das Dashboard Digitale Verwaltung</h2>
      <p class="kern-body">
        Transaktionen je Leistungsschlüssel (LeiKa), Regionalschlüssel und Monat mit den Feldnamen des
        Dashboards: <a href="/opendata/dashboard.json">dashboard.json</a> oder{' '}
        <a href="/opendata/dashboard.csv">dashboard.csv</a>. Der Zeitraum lässt sich mit <code>from</code> und{' '}
        <code>to</code> wählen, z. B. <code>/opendata/dashboard.csv?from=2025-01&amp;to=2025-12</code>; ohne
        Angabe enthält der Export alle Monate mit Daten.
      </p>

      <h2 class="kern-heading-medium">Programmierschnittstelle und Katalog</h2>
      <ul class="kern-list">
        <li>
          <a href="/api/docs">Dokumentation der Programmierschnittstelle</a> (OpenAPI) mit der Schnittstelle
          für offene Daten unter <code>/api/open/v1</code>
        </li>
        <li>
          Metadatenkatalog nach DCAT-AP.de 2.0: <a href="/dcat/catalog.ttl">Turtle</a>,{' '}
          <a href="/dcat/catalog.jsonld">JSON-LD</a>, <a href="/dcat/catalog.rdf">RDF/XML</a>
        </li>
      </ul>

      <h2 class="kern-heading-medium">Datenbeschreibung</h2>
      <p class="kern-body">
        Alle CSV-Dateien: Trennzeichen Semikolon, Zeichensatz UTF-8 mit Byte-Order-Mark, Zeilenende CRLF,
        erste Zeile mit den Spaltennamen. Zahlen ohne Tausendertrennzeichen. Ein Monat ohne Zeile ist ein
        Monat ohne Meldung; eine gemeldete 0 steht als 0 in der Datei. Nicht veröffentlichte Onlinedienste
        fehlen in allen Dateien und Summen.
      </p>
      <Dictionary
        id="spalten-transaktionen"
        caption="Transaktionszahlen (zsk-transaktionen.csv.gz und je Jahr)"
        columns={COUNT_COLUMNS}
      />
      <Dictionary
        id="spalten-stammdaten"
        caption="Stammdaten (zsk-onlinedienste.csv und .xlsx)"
        columns={MASTER_DATA_COLUMNS}
      />
      <Dictionary
        id="spalten-dashboard"
        caption="Export für das Dashboard (dashboard.json und .csv)"
        columns={DASHBOARD_COLUMNS}
      />
    </Layout>
  );
}
