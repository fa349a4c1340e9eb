/** Admin routes of the home feature (see docs/ADMIN.md). */
export default [] as Array<Record<string, unknown>>;
