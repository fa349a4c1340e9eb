/** Admin routes of the inbox feature (see docs/ADMIN.md). */
export default [] as Array<Record<string, unknown>>;
