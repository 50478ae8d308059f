import { describe, expect, it } from 'vitest';
import type { OwnerRow } from '../../../server/queue/local-jobs.js';
import { otherOwnerAlive, pidAlive } from '../../../server/queue/owners.js';

const self = { id: 'me', host: 'here', pid: 100 };
const row = (over: Partial<OwnerRow>): OwnerRow => ({
  id: 1,
  owner_id: 'other',
  owner_host: 'here',
  owner_pid: 200,
  heartbeat_at: 1_000,
  ...over,
});
const alive = (pid: number) => pid === 200;

describe('otherOwnerAlive', () => {
  it('a row with no owner or no heartbeat has none', () => {
    expect(otherOwnerAlive(row({ owner_id: null }), self, 1_000, 60_000, alive)).toBe(false);
    expect(otherOwnerAlive(row({ heartbeat_at: null }), self, 1_000, 60_000, alive)).toBe(false);
  });

  it('an owner silent for longer than the lease is gone, wherever it runs', () => {
    expect(otherOwnerAlive(row({}), self, 61_001, 60_000, alive)).toBe(false);
    expect(otherOwnerAlive(row({ owner_host: 'there' }), self, 61_001, 60_000, alive)).toBe(false);
  });

  it('within the lease: another host is trusted, this host is checked by pid', () => {
    expect(
      otherOwnerAlive(row({ owner_host: 'there', owner_pid: 1 }), self, 2_000, 60_000, alive),
    ).toBe(true);
    expect(otherOwnerAlive(row({}), self, 2_000, 60_000, alive)).toBe(true);
    expect(otherOwnerAlive(row({ owner_pid: 300 }), self, 2_000, 60_000, alive)).toBe(false);
    expect(otherOwnerAlive(row({ owner_pid: null }), self, 2_000, 60_000, alive)).toBe(false);
  });
});

describe('pidAlive', () => {
  it('this process is alive; impossible pids are not', () => {
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(0)).toBe(false);
    expect(pidAlive(-5)).toBe(false);
    expect(pidAlive(1.5)).toBe(false);
  });
});
