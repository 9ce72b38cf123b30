package io.perfbox.runtime.local.http;

import java.util.HashMap;
import java.util.Map;

/**
 * The live-log follows a server holds at once: at most {@code total}, and at most {@code perTenant} of them for any
 * one tenant, so that one tenant following its own jobs many times over cannot take the slots every other tenant
 * needs. Each follow holds a connection and a thread until its job ends, hence a bound at all.
 */
final class FollowerSlots {
    /** Why a follow was refused: the server's total is taken, or the tenant holds its share. */
    enum Refusal { SERVER_FULL, TENANT_FULL }

    private final int total;
    private final int perTenant;
    private final Map<String, Integer> held = new HashMap<>();
    private int inUse;

    FollowerSlots(int total, int perTenant) {
        if (perTenant < 1 || perTenant > total) {
            throw new IllegalArgumentException("a tenant's share must be from 1 to the total " + total + ", not " + perTenant);
        }
        this.total = total;
        this.perTenant = perTenant;
    }

    /** Takes a slot for {@code tenant}; null when taken (release it once), else why not. */
    synchronized Refusal tryAcquire(String tenant) {
        int mine = held.getOrDefault(tenant, 0);
        if (mine >= perTenant) {
            return Refusal.TENANT_FULL;
        }
        if (inUse >= total) {
            return Refusal.SERVER_FULL;
        }
        held.put(tenant, mine + 1);
        inUse++;
        return null;
    }

    synchronized void release(String tenant) {
        Integer mine = held.get(tenant);
        if (mine == null) {
            throw new IllegalStateException("tenant " + tenant + " holds no follow slot");
        }
        if (mine == 1) {
            held.remove(tenant);
        } else {
            held.put(tenant, mine - 1);
        }
        inUse--;
    }

    synchronized int inUse() {
        return inUse;
    }

    int perTenant() {
        return perTenant;
    }

    int total() {
        return total;
    }
}
