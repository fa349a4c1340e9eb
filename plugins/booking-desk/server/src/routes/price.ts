/** Admin routes of the price feature (see docs/ADMIN.md). */
export default [] as Array<Record<string, unknown>>;
