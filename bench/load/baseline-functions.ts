/**
 * The two baselines every load run measures beside the product, served by the same framework
 * in the same way (one function per process). Not deployed: they exist to turn absolute figures,
 * which depend on the machine, into ratios.
 */
import type { Request, Response } from "express";
import { getApps, initializeApp } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";

let db: Firestore | undefined;

function firestore(): Firestore {
  return (db ??= getFirestore(getApps()[0] ?? initializeApp()));
}

/** What the framework alone costs: no I/O, a tiny JSON answer. */
export function echo(_req: Request, res: Response): void {
  res.json({ ok: true });
}

/**
 * One Firestore read with the same client the product uses: the least any product request that
 * reads data can cost. `LOAD_BASELINE_DOC` names the document (seeded by the load run).
 */
export async function oneRead(_req: Request, res: Response): Promise<void> {
  const snapshot = await firestore().doc(process.env.LOAD_BASELINE_DOC ?? "load/baseline").get();
  res.json({ exists: snapshot.exists, name: snapshot.get("name") ?? null });
}
