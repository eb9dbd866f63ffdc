/** One worker of bench/names/run.ts: loads the popular index itself and checks its share of names. */
import { parentPort, workerData } from 'node:worker_threads';
import { checkName } from '../../src/checks/names/typosquat.js';
import { loadPopular } from '../../src/sources/popular/popular.js';

const { file, names } = workerData as { file: string; names: string[] };
const cpu0 = process.threadCpuUsage();
const index = loadPopular(file).warm();
let alerts = 0;
for (const n of names) if (checkName(n, index).length > 0) alerts++;
const cpu = process.threadCpuUsage(cpu0);
parentPort!.postMessage({ alerts, cpuMs: Math.round((cpu.user + cpu.system) / 1000) });
