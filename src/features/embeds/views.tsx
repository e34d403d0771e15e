import { EmbedLayout } from '../../web/embed-layout.js';
import { DIMENSIONS } from '../explorer/params.js';
import type { ExplorerResult } from '../explorer/service.js';
import { explorerPeriodText, explorerSummary, GroupsChart, GroupsTable } from '../explorer/views.js';

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
  const summary = explorerSummary(result);
  const title = `Transaktionen nach ${by}, ${explorerPeriodText(result.params)}`;
  return (
    <EmbedLayout title={title} permalink={permalink}>
      <p class="kern-body" id="ergebnis-zusammenfassung">
        {summary}
      </p>
      {chartSvg ? <GroupsChart result={result} chartSvg={chartSvg} by={by} summary={summary} /> : null}
      {result.groups.length === 0 ? null : (
        <GroupsTable result={result} by={by} servicesColumn={false} linkServices={false} />
      )}
    </EmbedLayout>
  );
}
