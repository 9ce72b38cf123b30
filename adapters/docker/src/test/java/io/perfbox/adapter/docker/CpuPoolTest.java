package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CpuPoolTest {

    @Test
    void concurrentRunsGetDisjointCpusOfTheirOwnAndGiveThemBack() {
        CpuPool pool = CpuPool.of("0-3");
        CpuPool.Lease a = pool.acquire(1);
        CpuPool.Lease b = pool.acquire(2);

        assertThat(a.own()).isTrue();
        assertThat(b.own()).isTrue();
        assertThat(a.cpus()).isEqualTo("0");
        assertThat(b.cpus()).isEqualTo("1-2");
        assertThat(pool.unheld()).isEqualTo("3");

        a.close();
        a.close(); // twice gives back nothing more
        assertThat(pool.unheld()).isEqualTo("0,3");
        CpuPool.Lease c = pool.acquire(1);
        assertThat(c.cpus()).isEqualTo("0");
        assertThat(pool.unheld()).isEqualTo("3");
    }

    @Test
    void aFractionalLimitHoldsWholeCpusRoundedUp() {
        assertThat(CpuPool.cpusFor(0.5)).isEqualTo(1);
        assertThat(CpuPool.cpusFor(1)).isEqualTo(1);
        assertThat(CpuPool.cpusFor(1.5)).isEqualTo(2);
        assertThat(CpuPool.of("0-7").acquire(2.25).cpus()).isEqualTo("0-2");
    }

    @Test
    void whenNoneAreFreeARunSharesTheUnheldOnesAndHoldsNothing() {
        CpuPool pool = CpuPool.of("0-1");
        CpuPool.Lease a = pool.acquire(1);
        CpuPool.Lease b = pool.acquire(1);
        CpuPool.Lease c = pool.acquire(1);

        assertThat(c.own()).isFalse();
        assertThat(c.cpus()).isEqualTo("0-1");
        c.close();
        assertThat(pool.unheld()).isEqualTo("0-1"); // all held: builds and scans get all rather than none
        b.close();
        assertThat(pool.unheld()).isEqualTo("1");
        a.close();

        CpuPool.Lease big = CpuPool.of("0-1").acquire(4);
        assertThat(big.own()).isTrue();
        assertThat(big.cpus()).isEqualTo("0-1");
    }

    @Test
    void aRunTakingOrGivingBackCpusChangesTheGenerationBuildsWatch() {
        CpuPool pool = CpuPool.of("0-1");
        long g0 = pool.generation();
        CpuPool.Lease a = pool.acquire(1);
        long g1 = pool.generation();
        a.close();

        assertThat(g1).isNotEqualTo(g0);
        assertThat(pool.generation()).isNotEqualTo(g1);
    }

    @Test
    void cpuListsReadAndWriteAsTheKernelWritesThem() {
        assertThat(CpuPool.of("0-3,8,10-11").cpus()).isEqualTo("0-3,8,10-11");
        assertThat(CpuPool.of(" 3,1,2 ").cpus()).isEqualTo("1-3");
        assertThat(CpuPool.of("5").size()).isEqualTo(1);
        for (String bad : new String[] {"", "a", "3-1", "1;2", "-1", "0-", "1,,2"}) {
            assertThatThrownBy(() -> CpuPool.of(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void tooFewCpusForEveryWorkerIsSaidWithWhatItCosts() {
        CpuPool two = CpuPool.of("0-1");

        assertThat(two.shortfall(2, 1)).isEmpty();
        assertThat(two.shortfall(3, 1)).hasValueSatisfying(s -> assertThat(s)
                .contains("3 workers", "need 3 CPUs", "gives containers 2 (0-1)", "depends on its neighbours"));
        assertThat(two.shortfall(2, 1.5)).hasValueSatisfying(s -> assertThat(s).contains("--cpus 1.5", "need 4 CPUs"));
    }

    @Test
    void theHostsPoolIsTheCpusItsContainersMayUse() {
        assertThat(CpuPool.ofHost()).hasValueSatisfying(p -> assertThat(p.size())
                .isBetween(1, Runtime.getRuntime().availableProcessors() * 2));
    }
}
