export { pushFiles as pushRepo } from "../../src/dev/push-files.ts";
