import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  checkWorkbookArchive,
  MAX_ENTRIES,
  MAX_UNPACKED_BYTES,
} from '../../../src/features/deliveries/xlsx-guard.js';
import { workbookFromXml, zipArchive } from '../../helpers/zip.js';

const rows = '<row r="1"><c r="A1"><v>1</v></c></row>';

describe('checkWorkbookArchive', () => {
  it('lets workbooks of ExcelJS (data descriptors) and written by hand pass', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Lieferung').addRow(['monat', 'ars', 'anzahl']);
    await expect(checkWorkbookArchive(Buffer.from(await wb.xlsx.writeBuffer()))).resolves.toBeInstanceOf(Map);
    await expect(checkWorkbookArchive(workbookFromXml(rows))).resolves.toBeInstanceOf(Map);
  });

  it('refuses an entry unzipper would read but the directory does not list', async () => {
    const zip = workbookFromXml(rows);
    const hidden = zipArchive([{ name: 'xl/sharedStrings.xml', data: '<sst/>' }]);
    // The local header and data of another archive put in front: the directory's offsets no longer fit.
    const smuggled = Buffer.concat([hidden.subarray(0, hidden.indexOf(Buffer.from('PK\x01\x02'))), zip]);
    await expect(checkWorkbookArchive(smuggled)).rejects.toMatchObject({ code: 'xlsx_invalid' });
    await expect(checkWorkbookArchive(zip.subarray(0, zip.length - 1))).rejects.toMatchObject({
      code: 'xlsx_invalid',
    });
  });

  it('refuses DOCTYPE (entity expansion) and column ranges past XFD', async () => {
    const doctype = zipArchive([
      { name: 'xl/workbook.xml', data: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><workbook/>' },
    ]);
    await expect(checkWorkbookArchive(doctype)).rejects.toMatchObject({ code: 'xlsx_invalid' });
    // Unpacked in chunks of 16 KiB: the `<` ends one chunk, the `!` starts the next.
    const split = zipArchive([{ name: 'xl/styles.xml', data: `${' '.repeat(16 * 1024 - 1)}<!-- x -->` }]);
    await expect(checkWorkbookArchive(split)).rejects.toMatchObject({ code: 'xlsx_invalid' });
    const cols = zipArchive([
      {
        name: 'xl/worksheets/sheet1.xml',
        data: '<worksheet><cols><col min="1" max="2000000000" width="9"/></cols></worksheet>',
      },
    ]);
    await expect(checkWorkbookArchive(cols)).rejects.toMatchObject({ code: 'xlsx_invalid' });
    const excel = zipArchive([
      {
        name: 'xl/worksheets/sheet1.xml',
        data: '<worksheet><cols><col min="5" max="16384"/></cols></worksheet>',
      },
    ]);
    await expect(checkWorkbookArchive(excel)).resolves.toBeInstanceOf(Map);
  });

  it('refuses more unpacked data and more parts than the limits, naming them', async () => {
    const bomb = zipArchive([{ name: 'xl/media/image1.png', data: Buffer.alloc(MAX_UNPACKED_BYTES + 1) }]);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    await expect(checkWorkbookArchive(bomb)).rejects.toMatchObject({
      statusCode: 422,
      code: 'limit_exceeded',
      message: expect.stringContaining('256 MiB') as unknown,
      details: [{ limit: 'unpacked_size', max: MAX_UNPACKED_BYTES }],
    });
    const many = zipArchive(
      Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => ({ name: `x/${i}`, data: '' })),
    );
    await expect(checkWorkbookArchive(many)).rejects.toMatchObject({
      code: 'limit_exceeded',
      details: [{ limit: 'entries', max: MAX_ENTRIES }],
    });
  });
});
