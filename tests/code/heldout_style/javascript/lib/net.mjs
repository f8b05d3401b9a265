import { execSync } from "node:child_process";
import vm from "node:vm";

export async function lookupHost(host) {
  return execSync(`dig +short ${host}`).toString().split("\n"); // expect: FG-INJ-011
}

export function renderTemplate(greeting) {
  return vm.runInNewContext("`" + greeting + "`", {}); // expect: FG-INJ-012
}
