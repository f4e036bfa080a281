// Reads a PDF's text back (pdfjs-dist, the text layer a viewer's search and copy use): one string
// per page, the text items joined by single spaces — what a person would find with ⌘F.
export async function pdfText(bytes: Uint8Array): Promise<string[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(
      content.items
        .map((it) => ('str' in it ? it.str : ''))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
  await doc.destroy();
  return pages;
}

/** The PDF's font descriptors: every font must be embedded (FontFile2 = TrueType). */
export function embeddedFonts(bytes: Uint8Array): { fonts: number; embedded: number } {
  const text = Buffer.from(bytes).toString('latin1');
  return {
    fonts: (text.match(/\/Type \/FontDescriptor/g) ?? []).length,
    embedded: (text.match(/\/FontFile2 /g) ?? []).length,
  };
}
