package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The isolated network and the security groups: nothing a job runs can reach the internet. */
class NetworkTest {
    private final Template template = SynthesizedStack.TEMPLATE;

    @Test
    void networkHasNoNatGatewayAndNoInternetGateway() {
        template.resourceCountIs("AWS::EC2::NatGateway", 0);
        template.resourceCountIs("AWS::EC2::InternetGateway", 0);
        template.resourceCountIs("AWS::EC2::EgressOnlyInternetGateway", 0);
        template.resourceCountIs("AWS::EC2::VPCGatewayAttachment", 0);
        template.allResourcesProperties("AWS::EC2::Subnet", Map.of("MapPublicIpOnLaunch", false));
        template.resourcePropertiesCountIs("AWS::EC2::Route",
                Map.of("DestinationCidrBlock", "0.0.0.0/0"), 0);
    }

    private static Map<String, Object> regionalService(String suffix) {
        return Map.of("Fn::Join", List.of("", List.of("com.amazonaws.", Map.of("Ref", "AWS::Region"), suffix)));
    }

    @Test
    void fargatePullsLogsAndEfsAreReachedThroughVpcEndpoints() {
        template.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                "VpcEndpointType", "Gateway", "ServiceName", regionalService(".s3")));
        for (String service : List.of(".ecr.api", ".ecr.dkr", ".logs", ".elasticfilesystem")) {
            template.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                    "VpcEndpointType", "Interface", "ServiceName", regionalService(service),
                    "PrivateDnsEnabled", true));
        }
        template.resourceCountIs("AWS::EC2::VPCEndpoint", 5);
    }

    @Test
    void flowLogsRecordAllTraffic() {
        template.hasResourceProperties("AWS::EC2::FlowLog", Map.of(
                "ResourceType", "VPC", "TrafficType", "ALL", "LogDestinationType", "cloud-watch-logs"));
    }

    private static Map<String, Object> ref(String logicalId) {
        return Map.of("Fn::GetAtt", List.of(logicalId, "GroupId"));
    }

    private String securityGroup(String descriptionPrefix) {
        var found = template.findResources("AWS::EC2::SecurityGroup", Map.of("Properties",
                Map.of("GroupDescription", Match.stringLikeRegexp(descriptionPrefix + ".*"))));
        assertThat(found).as(descriptionPrefix).hasSize(1);
        return found.keySet().iterator().next();
    }

    @Test
    void taskSecurityGroupAllowsExactlyHttpsToEndpointsAndS3AndNfsToTheFileSystem() throws Exception {
        String task = securityGroup("Customer containers");
        String endpoints = securityGroup("VPC interface endpoints");
        String fileSystem = securityGroup("Job file system");
        template.hasResourceProperties("AWS::EC2::SecurityGroup", Map.of(
                "GroupDescription", Match.stringLikeRegexp("Customer containers.*"),
                // allowAllOutbound=false and explicit rules: no inline egress at all, only the rules below.
                "SecurityGroupEgress", Match.absent()));

        var egress = template.findResources("AWS::EC2::SecurityGroupEgress",
                Map.of("Properties", Map.of("GroupId", ref(task))));
        assertThat(egress.values()).extracting(r -> (Object) ((Map<?, ?>) r).get("Properties"))
                .containsExactlyInAnyOrder(
                        Map.of("GroupId", ref(task), "IpProtocol", "tcp", "FromPort", 443, "ToPort", 443,
                                "DestinationSecurityGroupId", ref(endpoints),
                                "Description", "HTTPS to the interface endpoints (ECR, Logs, EFS)"),
                        Map.of("GroupId", ref(task), "IpProtocol", "tcp", "FromPort", 443, "ToPort", 443,
                                "DestinationPrefixListId", Map.of("Fn::GetAtt",
                                        List.of(s3PrefixListLookup(), "PrefixLists.0.PrefixListId")),
                                "Description", "HTTPS to S3 through the gateway endpoint (image layers)"),
                        Map.of("GroupId", ref(task), "IpProtocol", "tcp", "FromPort", 2049, "ToPort", 2049,
                                "DestinationSecurityGroupId", ref(fileSystem),
                                "Description", "NFS to the job file system"));
    }

    /** The deploy-time lookup of the region's S3 prefix list: one EC2 DescribePrefixLists call by name. */
    private String s3PrefixListLookup() throws Exception {
        var lookups = template.findResources("Custom::AWS");
        assertThat(lookups).hasSize(1);
        var create = TemplateQueries.JSON.valueToTree(lookups.values().iterator().next()).at("/Properties/Create");
        StringBuilder call = new StringBuilder();
        create.at("/Fn::Join/1").forEach(part -> call.append(part.isTextual() ? part.asText() : "REGION"));
        var sdkCall = TemplateQueries.JSON.readTree(call.toString());
        assertThat(sdkCall.get("service").asText()).isEqualTo("EC2");
        assertThat(sdkCall.get("action").asText()).isEqualTo("describePrefixLists");
        assertThat(sdkCall.at("/parameters/Filters/0/Values/0").asText()).isEqualTo("com.amazonaws.REGION.s3");
        return lookups.keySet().iterator().next();
    }

    @Test
    void noSecurityGroupReachesAnAddressRangeOutsideTheVpc() {
        var openToTheInternet = template.findResources("AWS::EC2::SecurityGroup", Map.of("Properties", Map.of(
                "SecurityGroupEgress", Match.arrayWith(List.of(Match.objectLike(Map.of("CidrIp", "0.0.0.0/0")))))));
        assertThat(openToTheInternet).isEmpty();
        assertThat(template.findResources("AWS::EC2::SecurityGroupEgress",
                Map.of("Properties", Map.of("CidrIp", Match.anyValue())))).as("egress to address ranges").isEmpty();
        assertThat(template.findResources("AWS::EC2::SecurityGroupIngress",
                Map.of("Properties", Map.of("CidrIp", "0.0.0.0/0")))).isEmpty();
    }

    @Test
    void fileSystemAcceptsNfsOnlyFromJobTasksAndTheWorkspaceFunction() {
        String fileSystem = securityGroup("Job file system");
        var ingress = template.findResources("AWS::EC2::SecurityGroupIngress",
                Map.of("Properties", Map.of("GroupId", ref(fileSystem))));
        assertThat(ingress.values()).extracting(r -> (Object) ((Map<?, ?>) ((Map<?, ?>) r).get("Properties")).get("SourceSecurityGroupId"))
                .containsExactlyInAnyOrder(ref(securityGroup("Customer containers")),
                        ref(securityGroup("Workspace function")));
        assertThat(ingress.values()).extracting(r -> (Object) ((Map<?, ?>) ((Map<?, ?>) r).get("Properties")).get("FromPort"))
                .containsOnly(2049);
        var workspaceEgress = template.findResources("AWS::EC2::SecurityGroupEgress",
                Map.of("Properties", Map.of("GroupId", ref(securityGroup("Workspace function")))));
        assertThat(workspaceEgress.values()).extracting(r -> (Object) ((Map<?, ?>) r).get("Properties"))
                .containsExactly(Map.of("GroupId", ref(securityGroup("Workspace function")), "IpProtocol", "tcp",
                        "FromPort", 2049, "ToPort", 2049, "DestinationSecurityGroupId", ref(fileSystem),
                        "Description", "NFS to the job file system"));
    }
}
