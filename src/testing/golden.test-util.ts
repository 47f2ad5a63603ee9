// Golden files for plan tests: compare a plan's text with testdata/NAME in the source tree, or
// rewrite the file when UPDATE_GOLDEN=1 (then review the diff like any other change).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';

/** The testdata folder of a source folder, from a test running in dist/src/<folder>/. */
export function testdataOf(folder: string, from: string): URL {
  return new URL(`../../../src/${folder}/testdata/`, from);
}

export function golden(testdata: URL, fileName: string, actual: string): void {
  const file = new URL(fileName, testdata);
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(file, 'utf8');
  } catch {
    assert.fail(`missing golden file ${file.pathname}: run the tests with UPDATE_GOLDEN=1 to create it`);
  }
  assert.equal(actual, expected, `${fileName} differs from ${file.pathname} (UPDATE_GOLDEN=1 regenerates it)`);
}
