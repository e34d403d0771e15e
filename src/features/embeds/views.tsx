import { DataTable } from '../../web/data-table.js';
import { EmbedLayout } from '../../web/embed-layout.js';
import { formatDecimal, formatInt } from '../../web/format.js';
import { MAX_BARS } from '../../web/chart.js';
import { DIMENSIONS } from '../explorer/params.js';
import type { ExplorerResult } from '../explorer/service.js';
import { explorerPeriodText, explorerSummary } from '../explorer/views.js';

/**
 * The explorer's chart and table for another site: the groups without links (a link would open the
 * ZSK inside the frame, which the ZSK's other pages refuse), the source line links the full view.
 */
export function ExplorerEmbed({
  result,
  chartSvg,
  permalink,
}: {
  result: ExplorerResult;
  chartSvg: string | null;
  permalink: string;
}) {
  const by = DIMENSIONS.find((d) => d.key === result.params.dimension)?.label ?? result.params.dimension;
  const perK = result.params.mode === 'je1000';
  const valueName = perK ? 'Transaktionen je 1.000 Einwohner' : 'Transaktionen';
  const summary = explorerSummary(result);
  const title = `Transaktionen nach ${by}, ${explorerPeriodText(result.params)}`;
  return (
    <EmbedLayout title={title} permalink={permalink}>
      <p class="kern-body" id="ergebnis-zusammenfassung">
        {summary}
      </p>
      {chartSvg ? (
        <figure class="zsk-chart">
          <div
            class="zsk-chart__svg"
            role="img"
            aria-label={`Balkendiagramm ${valueName} nach ${by}: ${summary}`}
            // The SVG comes from ECharts, which escapes the group names it draws.
            dangerouslySetInnerHTML={{ __html: chartSvg }}
          />
          <figcaption class="kern-body kern-body--small">
            {valueName} nach {by}, größte zuerst
            {result.groups.length > MAX_BARS
              ? `; gezeigt die ${formatInt(MAX_BARS)} größten von ${formatInt(result.groups.length)} Gruppen, alle stehen in der Tabelle`
              : '; die Werte stehen in der Tabelle'}
            .
          </figcaption>
        </figure>
      ) : null}
      {result.groups.length === 0 ? null : (
        <DataTable
          id="gruppen"
          small
          class="zsk-table"
          caption={<>Transaktionen nach {by}</>}
          columns={[
            { label: by },
            { label: 'Transaktionen', numeric: true },
            { label: 'Anteil', numeric: true },
            { label: 'je 1.000 Einwohner', numeric: true },
          ]}
        >
          {result.groups.map((g) => (
            <tr class="kern-table__row" key={g.key} data-group={g.key}>
              <th scope="row" class="kern-table__cell">
                {g.label}
              </th>
              <td class="kern-table__cell kern-table__cell--numeric">{formatInt(g.total)}</td>
              <td class="kern-table__cell kern-table__cell--numeric zsk-nowrap">
                {formatDecimal(g.sharePercent)} %
              </td>
              <td class="kern-table__cell kern-table__cell--numeric">
                {g.perThousand === null ? '–' : formatDecimal(g.perThousand)}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </EmbedLayout>
  );
}
