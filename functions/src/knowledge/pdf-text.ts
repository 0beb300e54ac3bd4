import { extractText, getDocumentProxy } from "unpdf";
import type { PdfTextExtractor } from "./document-files";

/** Text of a PDF, pages joined by blank lines, via unpdf (pdf.js, offline, no native code). */
export const pdfText: PdfTextExtractor = async (data) => {
  const { text } = await extractText(await getDocumentProxy(data), { mergePages: false });
  return text
    .map((page) => page.trim())
    .filter(Boolean)
    .join("\n\n");
};
