/** Plugin services; each feature adds its own file. */
export default {};
