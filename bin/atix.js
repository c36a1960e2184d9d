#!/usr/bin/env node
// The `atix` command: runs the TypeScript CLI through tsx, so no build step is needed.
import { register } from "tsx/esm/api";

register();
await import("../services/cli/main.ts");
