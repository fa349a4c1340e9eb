/** Admin routes of the members feature (see docs/ADMIN.md). */
export default [] as Array<Record<string, unknown>>;
