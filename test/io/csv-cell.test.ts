// CSV exports: text a spreadsheet would run as a formula is written with a leading quote (OWASP's advice on CSV
// injection), numbers stay numbers, and RFC 4180 quoting still holds.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { csvCell } from '../../src/io/csv-cell.js';
import { createStudy } from '../../src/tune/study.js';

const test = suite('csvCell: no formula runs when a trials CSV is opened in a spreadsheet');

test('cells starting with = + - @ tab or CR get a leading quote; numbers, booleans and plain text are as before', () => {
  assert.is(csvCell('=HYPERLINK("http://evil.example","click")'), `"'=HYPERLINK(""http://evil.example"",""click"")"`);
  assert.is(csvCell('+1+2'), "'+1+2");
  assert.is(csvCell('-2+3'), "'-2+3");
  assert.is(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.is(csvCell('\t=1'), "'\t=1");
  assert.is(csvCell('\r=1'), `"'\r=1"`);
  assert.is(csvCell(-0.5), '-0.5');
  assert.is(csvCell(true), 'true');
  assert.is(csvCell('adam'), 'adam');
  assert.is(csvCell('a,b'), '"a,b"');
  assert.is(csvCell(null), '');
  assert.is(csvCell({ k: '=1' }), '"{""k"":""=1""}"');
});

test('Study.trialsToCsv writes a categorical =HYPERLINK(...) and a user attribute @... quoted, not as formulas', async () => {
  const study = await createStudy();
  const link = '=HYPERLINK("http://evil.example","click")';
  await study.optimize((t) => {
    t.setUserAttr('note', '@cmd');
    return t.suggestCategorical('opt', [link]) === link ? -1.5 : 0;
  }, { nTrials: 1 });
  const [header, row] = study.trialsToCsv().trim().split('\n');
  assert.is(header, 'number,value,datetime_start,datetime_complete,duration,params_opt,user_attrs_note,state');
  assert.match(row, /^0,-1\.5,\d{4}-[^,]*,[^,]*,[^,]*,"'=HYPERLINK\(""http:\/\/evil\.example"",""click""\)",'@cmd,complete$/);
});

test.run();
