/**
 * The delivery history (a target's list, one delivery) and the parts the upload pages show alike: figures,
 * row errors and the links between the pages of a service or portal.
 */
import type { RowError } from '../../domain/counts.js';
import type { Channel, DeliveryStatus } from '../../db/schema.js';
import { DataTable } from '../../web/data-table.js';
import { formatDateTime, formatInt } from '../../web/format.js';
import { Notice } from '../../web/form.js';
import { monthLabel } from '../../web/labels.js';
import { Layout } from '../../web/layout.js';
import { Pagination } from '../../web/pagination.js';
import type { DeliveryPage as DeliveryListPage, DeliveryRow, TargetInfo } from './history.js';

export const CHANNEL_LABEL: Record<Channel, string> = {
  api: 'API',
  form: 'Formular',
  csv: 'CSV',
  xlsx: 'Excel',
  matomo: 'Matomo',
  demo: 'Demodaten',
};

export const STATUS_LABEL: Record<DeliveryStatus, string> = {
  accepted: 'angenommen',
  partial: 'teilweise angenommen',
  rejected: 'abgelehnt',
};

const STATUS_BADGE: Record<DeliveryStatus, string> = {
  accepted: 'success',
  partial: 'warning',
  rejected: 'danger',
};

const FIELD_LABEL: Record<RowError['field'], string> = {
  month: 'Monat',
  ars: 'ARS',
  count: 'Anzahl',
  serviceId: 'Onlinedienst',
  serviceKey: 'Schlüssel des Onlinedienstes',
  row: 'Zeile',
};

function StatusBadge({ status }: { status: DeliveryStatus }) {
  return (
    <span class={`kern-badge kern-badge--${STATUS_BADGE[status]} kern-badge--small`}>
      <span class="kern-label">{STATUS_LABEL[status]}</span>
    </span>
  );
}

const months = (d: { firstMonth: string | null; lastMonth: string | null }) =>
  d.firstMonth === null
    ? '–'
    : d.firstMonth === d.lastMonth
      ? monthLabel(d.firstMonth)
      : `${monthLabel(d.firstMonth)} bis ${monthLabel(d.lastMonth)}`;

const whoOf = (d: DeliveryRow) =>
  d.who === null ? 'System' : d.whoKind === 'token' ? `Zugangsschlüssel „${d.who}“` : d.who;

export const kindWord = (info: TargetInfo) => (info.target.kind === 'service' ? 'Onlinedienst' : 'Portal');

/** The links between the delivery pages of a service or portal. */
export function TargetLinks({ info, canManage }: { info: TargetInfo; canManage: boolean }) {
  const links = [
    ...(info.target.kind === 'service' ? [{ href: info.base, label: 'Auswertung' }] : []),
    ...(canManage && info.target.kind === 'service'
      ? [
          { href: `${info.base}/erfassen`, label: 'Zahlen erfassen' },
          { href: `${info.base}/bearbeiten`, label: 'Stammdaten bearbeiten' },
        ]
      : []),
    ...(canManage ? [{ href: `${info.base}/hochladen`, label: 'Datei hochladen' }] : []),
    { href: `${info.base}/lieferungen`, label: 'Lieferungen' },
  ];
  return (
    <nav aria-label={`Seiten zu ${info.name}`} class="zsk-subnav">
      <ul>
        {links.map((l) => (
          <li key={l.href}>
            <a href={l.href}>{l.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function HistoryPage({
  info,
  deliveries,
  canManage,
}: {
  info: TargetInfo;
  deliveries: DeliveryListPage;
  canManage: boolean;
}) {
  const { rows, page, pages, total } = deliveries;
  const href = (p: number) => `${info.base}/lieferungen${p > 1 ? `?seite=${p}` : ''}`;
  return (
    <Layout title={`Lieferungen: ${info.name}${pages > 1 ? `, Seite ${page} von ${pages}` : ''}`}>
      <h1 class="kern-heading-large">Lieferungen</h1>
      <p class="kern-body">
        {kindWord(info)} <strong>{info.name}</strong>: jede Datenlieferung über API, Formular oder Datei, mit
        ihrem Ergebnis. Alle angemeldeten Personen sehen die Lieferungen; die Originaldateien laden nur die
        Verantwortlichen herunter.
      </p>
      <TargetLinks info={info} canManage={canManage} />
      {total === 0 ? (
        <p class="kern-body">Noch keine Lieferungen.</p>
      ) : (
        <p class="kern-body" id="lieferungen-anzahl">
          {total === 1 ? '1 Lieferung' : `${formatInt(total)} Lieferungen`}
          {pages > 1 ? `, Seite ${page} von ${pages}` : ''}
        </p>
      )}
      {total === 0 ? null : (
        <DataTable
          id="lieferungen"
          small
          caption={
            pages > 1
              ? `Lieferungen (neueste zuerst), Seite ${page} von ${pages}`
              : 'Lieferungen (neueste zuerst)'
          }
          columns={[
            { label: 'Eingang', nowrap: true },
            { label: 'Kanal' },
            ...(info.target.kind === 'service' ? [{ label: 'Über' }] : []),
            { label: 'Von' },
            { label: 'Monate' },
            { label: 'Neu', numeric: true },
            { label: 'Geändert', numeric: true },
            { label: 'Unverändert', numeric: true },
            { label: 'Abgelehnt', numeric: true },
            { label: 'Status' },
          ]}
        >
          {rows.map((d) => (
            <tr class="kern-table__row" key={d.id}>
              <th scope="row" class="kern-table__cell zsk-nowrap">
                <a href={`/lieferungen/${d.id}`}>
                  {formatDateTime(d.createdAt)}
                  <span class="zsk-visually-hidden">, Lieferung {d.id}</span>
                </a>
              </th>
              <td class="kern-table__cell">{CHANNEL_LABEL[d.channel]}</td>
              {info.target.kind === 'service' ? (
                <td class="kern-table__cell">{d.portalName ? `Portal ${d.portalName}` : 'direkt'}</td>
              ) : null}
              <td class="kern-table__cell">{whoOf(d)}</td>
              <td class="kern-table__cell zsk-nowrap">{months(d)}</td>
              <td class="kern-table__cell kern-table__cell--numeric">{formatInt(d.created)}</td>
              <td class="kern-table__cell kern-table__cell--numeric">{formatInt(d.updated)}</td>
              <td class="kern-table__cell kern-table__cell--numeric">{formatInt(d.unchanged)}</td>
              <td class="kern-table__cell kern-table__cell--numeric">{formatInt(d.rejected)}</td>
              <td class="kern-table__cell">
                <StatusBadge status={d.status} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination page={page} pages={pages} href={href} label="Seiten der Lieferungen" />
    </Layout>
  );
}

export function RowErrorTable({ id, caption, errors }: { id: string; caption: string; errors: RowError[] }) {
  return (
    <DataTable
      id={id}
      small
      caption={caption}
      columns={[{ label: 'Zeile', numeric: true }, { label: 'Feld' }, { label: 'Wert' }, { label: 'Fehler' }]}
    >
      {errors.map((e, i) => (
        <tr class="kern-table__row" key={i}>
          <th scope="row" class="kern-table__cell kern-table__cell--numeric">
            {formatInt(e.row)}
          </th>
          <td class="kern-table__cell">{FIELD_LABEL[e.field]}</td>
          <td class="kern-table__cell">
            <code>{e.value === '' ? '(leer)' : e.value}</code>
          </td>
          <td class="kern-table__cell">{e.message}</td>
        </tr>
      ))}
    </DataTable>
  );
}

export function Figures({
  d,
}: {
  d: { rowsTotal: number; created: number; updated: number; unchanged: number; rejected: number };
}) {
  return (
    <ul class="zsk-figures" aria-label="Ergebnis">
      <li>
        <strong>{formatInt(d.rowsTotal)}</strong> Zeilen
      </li>
      <li>
        <strong>{formatInt(d.created)}</strong> neu
      </li>
      <li>
        <strong>{formatInt(d.updated)}</strong> geändert
      </li>
      <li>
        <strong>{formatInt(d.unchanged)}</strong> unverändert
      </li>
      <li>
        <strong>{formatInt(d.rejected)}</strong> abgelehnt
      </li>
    </ul>
  );
}

export function DeliveryPage({
  delivery: d,
  canDownload,
  saved,
}: {
  delivery: DeliveryRow & { errors: RowError[] };
  canDownload: boolean;
  saved: boolean;
}) {
  const back = d.portalId ? `/portale/${d.portalId}/lieferungen` : `/dienste/${d.serviceId}/lieferungen`;
  return (
    <Layout title={`Lieferung ${d.id}`}>
      <h1 class="kern-heading-large">Lieferung {d.id}</h1>
      {saved ? (
        <Notice kind={d.status === 'rejected' ? 'danger' : 'success'}>
          {d.status === 'rejected'
            ? 'Die Lieferung wurde abgelehnt; es wurde keine Zahl gespeichert.'
            : 'Die Lieferung ist gespeichert.'}
        </Notice>
      ) : null}
      <p class="kern-body">
        <a href={back}>Zurück zu allen Lieferungen</a>
      </p>
      <dl class="zsk-facts">
        <dt>{d.portalId ? 'Portal' : 'Onlinedienst'}</dt>
        <dd>{d.portalId ? d.portalName : d.serviceName}</dd>
        <dt>Eingang</dt>
        <dd>{formatDateTime(d.createdAt)}</dd>
        <dt>Kanal</dt>
        <dd>{CHANNEL_LABEL[d.channel]}</dd>
        <dt>Von</dt>
        <dd>{whoOf(d)}</dd>
        <dt>Monate</dt>
        <dd>{months(d)}</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={d.status} />
        </dd>
      </dl>
      <Figures d={d} />
      {d.hasFile && canDownload ? (
        <p class="kern-body">
          <a href={`/lieferungen/${d.id}/datei`} download>
            Originaldatei herunterladen
          </a>
        </p>
      ) : null}
      {d.errors.length > 0 ? (
        <RowErrorTable
          id="fehler"
          caption={`Fehler (${formatInt(d.errors.length)}${d.errors.length >= 1000 ? ', höchstens 1.000 gespeichert' : ''})`}
          errors={d.errors}
        />
      ) : (
        <p class="kern-body">Die Lieferung enthielt keine fehlerhaften Zeilen.</p>
      )}
    </Layout>
  );
}
