// The kernel and process limits that bound how many sockets one machine can hold, read for the
// report (the idle100k workload): listen queue, ephemeral ports per source address, TCP
// memory (pages), descriptors.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const SYSCTLS = {
  'net.core.somaxconn': '/proc/sys/net/core/somaxconn',
  'net.ipv4.tcp_max_syn_backlog': '/proc/sys/net/ipv4/tcp_max_syn_backlog',
  'net.ipv4.ip_local_port_range': '/proc/sys/net/ipv4/ip_local_port_range',
  'net.ipv4.tcp_mem': '/proc/sys/net/ipv4/tcp_mem',
  'fs.nr_open': '/proc/sys/fs/nr_open',
  'fs.file-max': '/proc/sys/fs/file-max',
};

const read = (path) => {
  try {
    return readFileSync(path, 'utf8').trim().replace(/\s+/g, ' ');
  } catch {
    return 'n/a';
  }
};

export function kernelLimits() {
  const limits = Object.fromEntries(Object.entries(SYSCTLS).map(([name, path]) => [name, read(path)]));
  limits['descriptor hard limit (ulimit -Hn)'] = execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  return limits;
}

/** The descriptor limit a child can be given: `wanted` if the hard limit can be raised to it. */
export function descriptorsAvailable(wanted) {
  try {
    execFileSync('bash', ['-c', `ulimit -n ${wanted}`], { stdio: 'ignore' });
    return wanted;
  } catch {
    return Number(execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim());
  }
}

/**
 * The machine's TCP counters that show a listen queue too short for a storm (/proc/net/netstat,
 * TcpExt): connections dropped because the accept queue was full, and SYNs sent again (each
 * drop costs its client 1 s, then 2 s...). Machine-wide: read before and after one run.
 */
export function listenQueueCounters() {
  let lines = [];
  try {
    lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  } catch {
    // Not Linux: the counters read as NaN below.
  }
  const header = lines.find((line) => line.startsWith('TcpExt:'));
  const values = lines.filter((line) => line.startsWith('TcpExt:'))[1];
  if (!header || !values) return { listenOverflows: Number.NaN, synRetransmits: Number.NaN };
  const names = header.split(/\s+/);
  const numbers = values.split(/\s+/).map(Number);
  const field = (name) => numbers[names.indexOf(name)] ?? Number.NaN;
  return { listenOverflows: field('ListenOverflows'), synRetransmits: field('TCPSynRetrans') };
}
