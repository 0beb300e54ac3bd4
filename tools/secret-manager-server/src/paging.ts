/** Page tokens over name-sorted listings: the local servers' shared paging (`@rag/server-kit`). */
export { paginate, type Page } from "@rag/server-kit";
