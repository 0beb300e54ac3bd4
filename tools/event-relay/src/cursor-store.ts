/**
 * Feed cursors on disk (`<stateDir>/cursors.json`), so a restarted relay resumes after the last
 * change whose deliveries all finished. Writes are atomic (temp file + rename) and serialized.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

export class CursorStore {
  private values: Record<string, number> = {};
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string) {}

  static async open(stateDir: string): Promise<CursorStore> {
    await mkdir(stateDir, { recursive: true });
    const store = new CursorStore(join(stateDir, "cursors.json"));
    try {
      const parsed: unknown = JSON.parse(await readFile(store.file, "utf8"));
      if (typeof parsed === "object" && parsed !== null) {
        for (const [k, v] of Object.entries(parsed)) if (typeof v === "number" && Number.isInteger(v) && v >= 0) store.values[k] = v;
      }
    } catch {
      // No state yet (first start) or unreadable: every feed starts at its head.
    }
    return store;
  }

  get(key: string): number | undefined {
    return this.values[key];
  }

  set(key: string, value: number): Promise<void> {
    if (this.values[key] === value) return this.writing;
    this.values[key] = value;
    const snapshot = JSON.stringify(this.values, null, 2);
    const tmp = `${this.file}.tmp`;
    this.writing = this.writing.then(async () => {
      await writeFile(tmp, snapshot);
      await rename(tmp, this.file);
    });
    return this.writing;
  }

  flush(): Promise<void> {
    return this.writing;
  }
}
