// The walk of one tag from input to the Harbor PUT, measured: the sources are compiled, every
// function of src/ is made to record its file when it is entered, and the bundled CLI's code runs
// one real sync (one image of one layer) from a real distribution registry into a Harbor double.
// The recorded sequence, up to the first manifest PUT, is cut into stops (a run of calls in one
// file); a stop in a file the walk had already left is a return. This is how docs/architecture.md
// counts "files passed" and "returns" (issue 25).
//
//   node bench/tag-walk.ts            prints the figures
//   node bench/tag-walk.ts --stops    also every stop, with the functions entered there
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { startHarborDouble } from '../test/harness/harbor-double/index.ts';
import { buildImage, pushImage } from '../test/harness/images.ts';
import { startRegistry } from '../test/harness/registry.ts';

// The one request path (auth, retry, redirects, paging) counts as one stop, wherever it is entered
// from: that is how the engine reads it.
const HTTP_LAYER = new Set(
  ['transport', 'http', 'auth-boundary', 'retry', 'challenge', 'tokens', 'credentials', 'pagination'].map(
    (f) => `registry/${f}.ts`,
  ),
);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'hs-tag-walk-'));

try {
  const lib = join(work, 'lib');
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', lib], {
    stdio: 'inherit',
  });
  for (const file of jsFiles(lib)) instrument(file, relative(lib, file));
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  writeFileSync(join(work, 'package.json'), '{"type":"module"}');
  const traceFile = join(work, 'trace.txt');
  const hook = join(work, 'hook.mjs');
  writeFileSync(
    hook,
    `import { writeFileSync } from 'node:fs';
const entries = [];
globalThis.__hsWalk = (file, fn) => { if (entries.length < 1e6) entries.push(file + '\\t' + fn); };
process.on('exit', () => writeFileSync(${JSON.stringify(traceFile)}, entries.join('\\n')));
`,
  );

  const source = await startRegistry();
  const harbor = await startHarborDouble();
  try {
    const target = { url: source.url };
    await pushImage(target, 'team-a/app', '1.0', buildImage('walk'));
    // Not spawnSync: the Harbor double answers from this process's event loop.
    const child = spawn(
      process.execPath,
      [
        '--import',
        hook,
        join(lib, 'cli.js'),
        'sync',
        '--source-registry',
        source.url,
        '--harbor-url',
        harbor.url,
        '--images',
        'team-a/app:1.0',
        '--quiet',
      ],
      {
        env: { ...process.env, HARBOR_USERNAME: harbor.admin.username, HARBOR_PASSWORD: harbor.admin.password },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (status !== 0) throw new Error(`the sync failed (exit ${status})`);
    report(readFileSync(traceFile, 'utf8').split('\n'), process.argv.includes('--stops'));
  } finally {
    await harbor.stop();
    await source.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

function report(lines: string[], showStops: boolean): void {
  const calls = lines.map((l) => l.split('\t') as [string, string]);
  const put = calls.findIndex(([, fn]) => fn === 'putManifest');
  if (put < 0) throw new Error('no manifest PUT in the trace');
  // Module loading runs code too (tables built at import): the walk starts at the CLI's main().
  const main = calls.findIndex(([file, fn]) => file === 'cli/main.ts' && fn === 'main');
  // The tag's own path: from the engine taking the tag job to the PUT.
  const tag = calls.findIndex(([, fn]) => fn === 'syncTag');
  if (main < 0 || tag < 0) throw new Error('no main() or syncTag() in the trace');
  for (const [label, from] of [
    ['input to the Harbor PUT (main() on)', main],
    ["the tag's own path (syncTag() on)", tag],
  ] as const) {
    const walk = calls.slice(from, put + 1);
    const stops: { file: string; fns: string[] }[] = [];
    for (const [file, fn] of walk) {
      const last = stops.at(-1);
      if (last?.file === file) last.fns.push(fn);
      else stops.push({ file, fns: [fn] });
    }
    if (showStops)
      for (const [i, s] of stops.entries())
        console.log(`${String(i + 1).padStart(4)} ${s.file}  ${[...new Set(s.fns)].join(', ')}`);
    console.log(`one tag, ${label}: ${walk.length} function entries`);
    console.log(`  every file:            ${figures(stops.map((s) => s.file))}`);
    console.log(
      `  HTTP layer as one:     ${figures(stops.map((s) => (HTTP_LAYER.has(s.file) ? 'HTTP layer' : s.file)))}`,
    );
  }
}

/** Stops (runs of one file), files, and stops in a file the walk had already left. */
function figures(files: string[]): string {
  const stops = files.filter((f, i) => f !== files[i - 1]);
  const seen = new Set<string>();
  let returns = 0;
  for (const file of stops) {
    if (seen.has(file)) returns += 1;
    seen.add(file);
  }
  return `${stops.length} stops in ${seen.size} files, ${returns} returns to a file already left`;
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return jsFiles(path);
    return e.name.endsWith('.js') ? [path] : [];
  });
}

/** Inserts `globalThis.__hsWalk?.(file, name)` at the start of every function body. */
function instrument(path: string, file: string): void {
  const sourceFile = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const f = ts.factory;
  const call = (name: string): ts.Statement =>
    f.createExpressionStatement(
      f.createCallChain(
        f.createPropertyAccessExpression(f.createIdentifier('globalThis'), '__hsWalk'),
        f.createToken(ts.SyntaxKind.QuestionDotToken),
        undefined,
        [f.createStringLiteral(file.replace(/\.js$/, '.ts')), f.createStringLiteral(name)],
      ),
    );
  const nameOf = (node: ts.Node): string => {
    const named = node as { name?: ts.Node };
    if (named.name && (ts.isIdentifier(named.name) || ts.isPrivateIdentifier(named.name))) return named.name.text;
    if (ts.isConstructorDeclaration(node)) return 'constructor';
    const parent = node.parent;
    if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    return '<anonymous>';
  };
  const transformer: ts.TransformerFactory<ts.SourceFile> = (context) => {
    const visit = (node: ts.Node): ts.Node => {
      const visited = ts.visitEachChild(node, visit, context);
      if (
        (ts.isFunctionDeclaration(visited) ||
          ts.isMethodDeclaration(visited) ||
          ts.isFunctionExpression(visited) ||
          ts.isConstructorDeclaration(visited) ||
          ts.isGetAccessorDeclaration(visited) ||
          ts.isSetAccessorDeclaration(visited)) &&
        visited.body
      ) {
        const body = f.updateBlock(visited.body, [call(nameOf(node)), ...visited.body.statements]);
        if (ts.isFunctionDeclaration(visited))
          return f.updateFunctionDeclaration(
            visited,
            visited.modifiers,
            visited.asteriskToken,
            visited.name,
            visited.typeParameters,
            visited.parameters,
            visited.type,
            body,
          );
        if (ts.isMethodDeclaration(visited))
          return f.updateMethodDeclaration(
            visited,
            visited.modifiers,
            visited.asteriskToken,
            visited.name,
            visited.questionToken,
            visited.typeParameters,
            visited.parameters,
            visited.type,
            body,
          );
        if (ts.isFunctionExpression(visited))
          return f.updateFunctionExpression(
            visited,
            visited.modifiers,
            visited.asteriskToken,
            visited.name,
            visited.typeParameters,
            visited.parameters,
            visited.type,
            body,
          );
        if (ts.isConstructorDeclaration(visited))
          return f.updateConstructorDeclaration(visited, visited.modifiers, visited.parameters, body);
        if (ts.isGetAccessorDeclaration(visited))
          return f.updateGetAccessorDeclaration(
            visited,
            visited.modifiers,
            visited.name,
            visited.parameters,
            visited.type,
            body,
          );
        return f.updateSetAccessorDeclaration(
          visited as ts.SetAccessorDeclaration,
          visited.modifiers,
          (visited as ts.SetAccessorDeclaration).name,
          (visited as ts.SetAccessorDeclaration).parameters,
          body,
        );
      }
      if (ts.isArrowFunction(visited)) {
        const statements = ts.isBlock(visited.body)
          ? [call(nameOf(node)), ...visited.body.statements]
          : [call(nameOf(node)), f.createReturnStatement(visited.body)];
        return f.updateArrowFunction(
          visited,
          visited.modifiers,
          visited.typeParameters,
          visited.parameters,
          visited.type,
          visited.equalsGreaterThanToken,
          f.createBlock(statements, true),
        );
      }
      return visited;
    };
    return (root) => ts.visitNode(root, visit) as ts.SourceFile;
  };
  const out = ts.transform(sourceFile, [transformer]);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, ts.createPrinter().printFile(out.transformed[0]!));
  out.dispose();
}
