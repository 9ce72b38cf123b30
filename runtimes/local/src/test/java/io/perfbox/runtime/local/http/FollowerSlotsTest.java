package io.perfbox.runtime.local.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FollowerSlotsTest {

    @Test
    void aTenantPastItsShareIsRefusedWhileAnotherTenantStillGetsASlot() {
        FollowerSlots slots = new FollowerSlots(64, 8);
        for (int i = 0; i < 8; i++) {
            assertThat(slots.tryAcquire("mallory")).isNull();
        }
        assertThat(slots.tryAcquire("mallory")).isEqualTo(FollowerSlots.Refusal.TENANT_FULL);
        assertThat(slots.tryAcquire("alice")).isNull();
        assertThat(slots.inUse()).isEqualTo(9);
    }

    @Test
    void aReleasedSlotIsTheTenantsAgain() {
        FollowerSlots slots = new FollowerSlots(4, 2);
        slots.tryAcquire("a");
        slots.tryAcquire("a");
        assertThat(slots.tryAcquire("a")).isEqualTo(FollowerSlots.Refusal.TENANT_FULL);
        slots.release("a");
        assertThat(slots.tryAcquire("a")).isNull();
    }

    @Test
    void theServerTotalStillBoundsEveryTenantTogether() {
        FollowerSlots slots = new FollowerSlots(4, 2);
        slots.tryAcquire("a");
        slots.tryAcquire("a");
        slots.tryAcquire("b");
        slots.tryAcquire("b");
        assertThat(slots.tryAcquire("c")).isEqualTo(FollowerSlots.Refusal.SERVER_FULL);
        slots.release("b");
        assertThat(slots.tryAcquire("c")).isNull();
        assertThat(slots.inUse()).isEqualTo(4);
    }

    @Test
    void releasingASlotNeverTakenIsAnError() {
        FollowerSlots slots = new FollowerSlots(4, 2);
        assertThatThrownBy(() -> slots.release("nobody")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new FollowerSlots(4, 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
