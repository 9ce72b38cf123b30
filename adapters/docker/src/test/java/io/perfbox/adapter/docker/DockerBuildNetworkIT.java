package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.perfbox.adapter.process.ProcessRunner;
import io.perfbox.testing.docker.RequiresDocker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The build rules' life cycle in the machine's iptables: installed with their owner, removed, and collected. */
@RequiresDocker
class DockerBuildNetworkIT {
    private static final DockerCli DOCKER = new DockerCli("docker");

    private static String rules() throws InterruptedException {
        return ProcessRunner.command("iptables", "-w", "-S").timeout(Duration.ofSeconds(30)).run().stdoutText();
    }

    private static void iptables(String... args) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("iptables", "-w"));
        cmd.addAll(List.of(args));
        assertThat(ProcessRunner.command(cmd).timeout(Duration.ofSeconds(30)).run().succeeded()).as(cmd.toString()).isTrue();
    }

    @Test
    void theDefaultBridgesRulesNameTheirOwnerAndGoAtClose() throws Exception {
        String store = "it" + UUID.randomUUID().toString().substring(0, 10);
        try (DockerBuildNetwork n = DockerBuildNetwork.confineDefaultBridge(DOCKER, "iptables", store, List.of(), List.of())) {
            assertThat(n.confinesDefaultBridge()).isTrue();
            assertThat(rules()).contains("-i " + n.bridgeInterface() + " -m comment --comment \"" + DockerBuildNetwork.OWNER + "\"");
        }
        String hash = rules().lines().filter(l -> l.contains(store)).findAny().orElse(null);
        assertThat(hash).as("nothing of the store is left").isNull();
    }

    @Test
    void theRulesOfAServerThatDiedAreRemovedByTheNextStart() throws Exception {
        // A process that has ended stands for the server that was killed before it could remove its rules.
        Process gone = new ProcessBuilder("true").start();
        String deadOwner = DockerBuildNetwork.owner(gone.toHandle());
        gone.waitFor();
        assertThat(DockerBuildNetwork.ownerIsAlive(deadOwner)).isFalse();
        assertThat(DockerBuildNetwork.ownerIsAlive(DockerBuildNetwork.OWNER)).isTrue();
        String chain = "PERFBOX-BUILD-dead" + UUID.randomUUID().toString().substring(0, 4);
        iptables("-N", chain);
        iptables("-A", chain, "-d", "100.127.250.0/30", "-j", "DROP");
        iptables("-I", "DOCKER-USER", "-i", "docker0", "-m", "comment", "--comment", deadOwner, "-j", chain);

        String store = "it" + UUID.randomUUID().toString().substring(0, 10);
        try (DockerBuildNetwork n = DockerBuildNetwork.confineDefaultBridge(DOCKER, "iptables", store, List.of(), List.of())) {
            assertThat(n.confinesDefaultBridge()).isTrue();
            assertThat(rules()).doesNotContain(chain).contains(DockerBuildNetwork.OWNER);
        }
    }
}
