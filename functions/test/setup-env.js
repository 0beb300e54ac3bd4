// Tests talk to the local stack started by `npm test`. Outside it, default to the demo project so
// firebase-admin can never reach a real one.
process.env.GCLOUD_PROJECT = process.env.GCLOUD_PROJECT || "demo-rag-prompt-library";
process.env.GOOGLE_CLOUD_PROJECT = process.env.GOOGLE_CLOUD_PROJECT || process.env.GCLOUD_PROJECT;
