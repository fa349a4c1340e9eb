/** Admin routes of the calendar feature (see docs/ADMIN.md). */
export default [] as Array<Record<string, unknown>>;
