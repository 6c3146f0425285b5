import { createRequire } from 'node:module';
import { ts } from 'ts-morph';

interface LibFile {
  fileName: string;
  text: string;
}

// ts-morph's TypeScript bundle ships its lib.*.d.ts files as strings rather than on disk;
// they come from its own @ts-morph/common, resolved from ts-morph's location.
const requireFromTsMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
const libFiles = new Map(
  (requireFromTsMorph('@ts-morph/common') as { getLibFiles(): LibFile[] }).getLibFiles().map((file) => [file.fileName, file.text]),
);

const LIB_FOLDER = '/__agentwire_guard_lib__';

function libText(fileName: string): string | undefined {
  return fileName.startsWith(`${LIB_FOLDER}/`) ? libFiles.get(fileName.slice(LIB_FOLDER.length + 1)) : undefined;
}

/** A disk compiler host whose default library comes from the strings ts-morph bundles. */
export function createCompilerHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.getDefaultLibLocation = () => LIB_FOLDER;
  host.getDefaultLibFileName = (opts) => `${LIB_FOLDER}/${ts.getDefaultLibFileName(opts)}`;
  host.fileExists = (fileName) => libText(fileName) !== undefined || fileExists.call(host, fileName);
  host.readFile = (fileName) => libText(fileName) ?? readFile.call(host, fileName);
  host.getSourceFile = (fileName, language, onError, shouldCreate) => {
    const text = libText(fileName);
    return text !== undefined
      ? ts.createSourceFile(fileName, text, language)
      : getSourceFile.call(host, fileName, language, onError, shouldCreate);
  };
  return host;
}
