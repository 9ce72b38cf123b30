package io.perfbox.adapter.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DockerBuildNetworkTest {

    @Test
    void hostAddressesAreTurnedIntoTheirSubnets() {
        assertThat(DockerBuildNetwork.subnet(new byte[] {(byte) 192, 0, 2, 2}, 24)).isEqualTo("192.0.2.0/24");
        assertThat(DockerBuildNetwork.subnet(new byte[] {(byte) 172, 17, 3, 1}, 16)).isEqualTo("172.17.0.0/16");
        assertThat(DockerBuildNetwork.subnet(new byte[] {10, 1, 2, 3}, 32)).isEqualTo("10.1.2.3/32");
        assertThat(DockerBuildNetwork.subnet(new byte[] {10, 1, 2, 3}, 0)).isEqualTo("0.0.0.0/0");
    }

    @Test
    void operatorCidrsMustBeIpv4AddressesOrRanges() {
        DockerBuildNetwork.requireCidr("10.1.2.3");
        DockerBuildNetwork.requireCidr("203.0.113.0/24");
        assertThatThrownBy(() -> DockerBuildNetwork.requireCidr("10.1.2.300/24")).hasMessageContaining("10.1.2.300/24");
        assertThatThrownBy(() -> DockerBuildNetwork.requireCidr("10.0.0.0/33")).hasMessageContaining("CIDR");
        assertThatThrownBy(() -> DockerBuildNetwork.requireCidr("mirror.local")).hasMessageContaining("CIDR");
    }

    @Test
    void linkLocalAndThePrivateRangesAreAlwaysDenied() {
        assertThat(DockerBuildNetwork.ALWAYS_DENIED)
                .contains("169.254.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8");
    }
}
