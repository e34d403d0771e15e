import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';

/** What an anonymous visitor gets from a path, as text: XLSX downloads are read cell by cell. */
export async function publicText(
  app: FastifyInstance,
  url: string,
  headers: Record<string, string> = { accept: 'text/html' },
): Promise<{ status: number; text: string; type: string }> {
  const res = await app.inject({ url, headers });
  const type = String(res.headers['content-type'] ?? '');
  if (type.includes('spreadsheetml')) {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const cells: string[] = [];
    workbook.eachSheet((sheet) => {
      cells.push(sheet.name);
      sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.text ?? ''))));
    });
    return { status: res.statusCode, text: cells.join('\n'), type };
  }
  return { status: res.statusCode, text: res.body, type };
}

/**
 * The concrete GET paths of every route anyone may call without signing in ('open' and 'public'),
 * with `:param`s filled by `id`; assets and the OpenAPI UI files are files, not data.
 */
export function openGetPaths(app: FastifyInstance, id: number): string[] {
  return app.routeAccess
    .filter((r) => r.method === 'GET' && (r.access === 'open' || r.access === 'public'))
    .map((r) => r.url)
    .filter((url) => !url.includes('*') && !url.startsWith('/api/docs/static'))
    .map((url) => url.replace(/:[A-Za-z]+/g, String(id)));
}

export const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
export const TOKEN = /zsk_[A-Za-z0-9_-]{8}/;
