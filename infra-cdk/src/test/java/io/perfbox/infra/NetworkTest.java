package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The isolated network and the security groups: nothing a job runs can reach the internet. */
class NetworkTest {
    private static final Template template = SynthesizedStack.TEMPLATE;

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
    void fargatePullsAndLogsAreReachedThroughVpcEndpointsAndNothingElseIs() {
        template.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                "VpcEndpointType", "Gateway", "ServiceName", regionalService(".s3")));
        for (String service : List.of(".ecr.api", ".ecr.dkr", ".logs")) {
            template.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                    "VpcEndpointType", "Interface", "ServiceName", regionalService(service),
                    "PrivateDnsEnabled", true));
        }
        // Nothing else: /data is the task's own volume, and no function runs in the VPC.
        template.resourceCountIs("AWS::EC2::VPCEndpoint", 4);
    }

    private JsonNode endpointPolicy(String serviceSuffix) {
        List<JsonNode> endpoints = TemplateQueries.resources("AWS::EC2::VPCEndpoint").stream()
                .filter(e -> TemplateQueries.joined(e.at("/Properties/ServiceName")).endsWith(serviceSuffix)).toList();
        assertThat(endpoints).as(serviceSuffix).hasSize(1);
        return endpoints.get(0).at("/Properties/PolicyDocument");
    }

    @Test
    void s3EndpointAdmitsOnlyReadsOfEcrsLayerBucket() {
        JsonNode policy = endpointPolicy(".s3");
        assertThat(policy.get("Statement")).hasSize(1);
        JsonNode only = policy.at("/Statement/0");
        assertThat(only.path("Effect").asText()).isEqualTo("Allow");
        assertThat(only.at("/Principal/AWS").asText()).isEqualTo("*");
        assertThat(only.path("Action").asText()).isEqualTo("s3:GetObject");
        assertThat(TemplateQueries.joined(only.path("Resource")))
                .isEqualTo("arn:{Ref AWS::Partition}:s3:::prod-{Ref AWS::Region}-starport-layer-bucket/*");
        assertThat(only.has("Condition")).isFalse();
    }

    @Test
    void noFunctionRunsInTheVpcSoTheS3EndpointOwesTheStacksBucketNothing() {
        // The S3 endpoint admits no object of the stack's bucket: true only while nothing in the VPC needs one.
        assertThat(template.findResources("AWS::Lambda::Function", Map.of("Properties", Map.of(
                "VpcConfig", Match.anyValue())))).isEmpty();
    }

    /** A statement's actions or resources, as a list whether the template holds one or many. */
    private static List<Object> list(JsonNode node) {
        List<Object> values = new ArrayList<>();
        (node.isArray() ? node : TemplateQueries.JSON.createArrayNode().add(node))
                .forEach(v -> values.add(TemplateQueries.JSON.convertValue(v, Object.class)));
        return values;
    }

    /** A resource's value as text, tokens written {Ref X}, {GetAtt X.Attr}, {Sub ...}; joins concatenated. */
    private static String render(JsonNode value) {
        if (value.isTextual()) {
            return value.asText();
        } else if (value.has("Ref")) {
            return "{Ref " + value.get("Ref").asText() + "}";
        } else if (value.has("Fn::GetAtt")) {
            return "{GetAtt " + value.at("/Fn::GetAtt/0").asText() + "." + value.at("/Fn::GetAtt/1").asText() + "}";
        } else if (value.has("Fn::Sub")) {
            return "{Sub " + value.get("Fn::Sub").asText() + "}";
        } else if (value.has("Fn::Join")) {
            StringBuilder text = new StringBuilder();
            value.at("/Fn::Join/1").forEach(part -> text.append(render(part)));
            return text.toString();
        }
        throw new AssertionError("unexpected token " + value);
    }

    private static List<String> rendered(JsonNode node) {
        return list(node).stream().map(v -> render(TemplateQueries.JSON.valueToTree(v))).toList();
    }

    private static String logicalIdOf(String type, String prefix) {
        var ids = template.findResources(type, Map.of()).keySet().stream().filter(id -> id.startsWith(prefix)).toList();
        assertThat(ids).as(type + " " + prefix + "*").hasSize(1);
        return ids.get(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {".ecr.api", ".ecr.dkr"})
    void ecrEndpointsAdmitTheLoginAndPullsOfTheJobsAndAssetRepositoriesOnly(String service) {
        JsonNode statements = endpointPolicy(service).get("Statement");
        assertThat(statements).hasSize(2);
        Map<String, Object> thisAccount = Map.of("StringEquals", Map.of("aws:PrincipalAccount", Map.of("Ref", "AWS::AccountId")));
        // The login has no resource-level permission: this account's principals only.
        assertThat(TemplateQueries.map(statements.get(0))).isEqualTo(Map.of(
                "Sid", "RegistryLoginOfThisAccountsPrincipals",
                "Effect", "Allow", "Principal", Map.of("AWS", "*"), "Action", "ecr:GetAuthorizationToken",
                "Resource", "*", "Condition", thisAccount));
        JsonNode pulls = statements.get(1);
        assertThat(pulls.path("Sid").asText()).isEqualTo("ImagePullsOfThisStacksRepositories");
        assertThat(pulls.path("Effect").asText()).isEqualTo("Allow");
        assertThat(TemplateQueries.map(pulls.path("Condition"))).isEqualTo(thisAccount);
        assertThat(list(pulls.path("Action"))).containsExactlyInAnyOrder(
                "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability");
        String jobs = logicalIdOf("AWS::ECR::Repository", "");
        assertThat(rendered(pulls.path("Resource"))).containsExactlyInAnyOrder(
                "{GetAtt " + jobs + ".Arn}",
                // The bootstrap's asset repository, where the run clock's image is pushed.
                "arn:{Ref AWS::Partition}:ecr:{Ref AWS::Region}:{Ref AWS::AccountId}:repository/"
                        + "{Sub cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}}");
    }

    @Test
    void logsEndpointAdmitsOnlyTheTaskLogGroupsStreamsAndEvents() {
        JsonNode statements = endpointPolicy(".logs").get("Statement");
        assertThat(statements).hasSize(1);
        JsonNode only = statements.get(0);
        assertThat(only.path("Sid").asText()).isEqualTo("TaskLogStreamsOfThisStack");
        assertThat(list(only.path("Action"))).containsExactlyInAnyOrder("logs:CreateLogStream", "logs:PutLogEvents");
        assertThat(rendered(only.path("Resource")))
                .containsExactly("arn:{Ref AWS::Partition}:logs:{Ref AWS::Region}:{Ref AWS::AccountId}:log-group:{Ref "
                        + logicalIdOf("AWS::Logs::LogGroup", "IsolatedRunnerTaskLogs") + "}:log-stream:*");
        assertThat(TemplateQueries.map(only.path("Condition"))).isEqualTo(
                Map.of("StringEquals", Map.of("aws:PrincipalAccount", Map.of("Ref", "AWS::AccountId"))));
    }

    @Test
    void noEndpointPolicyAllowsEveryActionOrEveryResourceBeyondTheRegistryLogin() {
        for (JsonNode endpoint : TemplateQueries.resources("AWS::EC2::VPCEndpoint")) {
            for (JsonNode statement : endpoint.at("/Properties/PolicyDocument/Statement")) {
                assertThat(list(statement.path("Action"))).as(statement.toString()).doesNotContain("*")
                        .allSatisfy(a -> assertThat(a.toString()).doesNotContain("*"));
                if (!list(statement.path("Action")).equals(List.of("ecr:GetAuthorizationToken"))) {
                    assertThat(list(statement.path("Resource"))).as(statement.toString()).doesNotContain("*");
                }
            }
        }
    }

    @Test
    void dnsFirewallAnswersExactlyTheEndpointsAndBlocksEveryOtherName() {
        var lists = TemplateQueries.resources("AWS::Route53Resolver::FirewallDomainList");
        assertThat(lists).hasSize(2);
        JsonNode allowed = lists.stream().filter(l -> l.at("/Properties/Name").asText().equals("perfbox-allowed-names"))
                .findFirst().orElseThrow();
        JsonNode every = lists.stream().filter(l -> l.at("/Properties/Name").asText().equals("perfbox-every-name"))
                .findFirst().orElseThrow();
        List<String> names = new ArrayList<>();
        allowed.at("/Properties/Domains").forEach(d -> names.add(TemplateQueries.joined(d)));
        assertThat(names).containsExactlyInAnyOrder(
                "prod-{Ref AWS::Region}-starport-layer-bucket.s3.{Ref AWS::Region}.{Ref AWS::URLSuffix}",
                "prod-{Ref AWS::Region}-starport-layer-bucket.s3.{Ref AWS::URLSuffix}",
                "api.ecr.{Ref AWS::Region}.{Ref AWS::URLSuffix}",
                "{Ref AWS::AccountId}.dkr.ecr.{Ref AWS::Region}.{Ref AWS::URLSuffix}",
                "logs.{Ref AWS::Region}.{Ref AWS::URLSuffix}");
        assertThat(TemplateQueries.texts(every.at("/Properties/Domains"))).containsExactly("*");

        String allowedId = logicalId("AWS::Route53Resolver::FirewallDomainList", allowed);
        String everyId = logicalId("AWS::Route53Resolver::FirewallDomainList", every);
        template.hasResourceProperties("AWS::Route53Resolver::FirewallRuleGroup", Map.of("FirewallRules", List.of(
                Match.objectEquals(Map.of("Priority", 100, "Action", "ALLOW",
                        "FirewallDomainListId", Map.of("Fn::GetAtt", List.of(allowedId, "Id")),
                        "FirewallDomainRedirectionAction", "TRUST_REDIRECTION_DOMAIN")),
                Match.objectEquals(Map.of("Priority", 200, "Action", "BLOCK", "BlockResponse", "NXDOMAIN",
                        "FirewallDomainListId", Map.of("Fn::GetAtt", List.of(everyId, "Id")))))));
        template.resourceCountIs("AWS::Route53Resolver::FirewallRuleGroupAssociation", 1);
        template.hasResourceProperties("AWS::Route53Resolver::FirewallRuleGroupAssociation", Map.of(
                "FirewallRuleGroupId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IsolatedNetworkDnsFirewall.*"), "Id")),
                "VpcId", Map.of("Ref", Match.stringLikeRegexp("IsolatedNetworkVpc.*")),
                "Priority", 101));
    }

    private String logicalId(String type, JsonNode resource) {
        return TemplateQueries.template().get("Resources").properties().stream()
                .filter(e -> e.getValue().equals(resource)).map(Map.Entry::getKey).findFirst().orElseThrow();
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
    void taskSecurityGroupAllowsExactlyHttpsToEndpointsAndS3() throws Exception {
        String task = securityGroup("Customer containers");
        String endpoints = securityGroup("VPC interface endpoints");
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
                                "Description", "HTTPS to the interface endpoints (ECR, Logs)"),
                        Map.of("GroupId", ref(task), "IpProtocol", "tcp", "FromPort", 443, "ToPort", 443,
                                "DestinationPrefixListId", Map.of("Fn::GetAtt",
                                        List.of(s3PrefixListLookup(), "PrefixLists.0.PrefixListId")),
                                "Description", "HTTPS to S3 through the gateway endpoint (image layers)"));
    }

    /** The deploy-time lookup of the region's S3 prefix list: one EC2 DescribePrefixLists call by name. */
    private String s3PrefixListLookup() throws Exception {
        var lookups = template.findResources("Custom::AWS").entrySet().stream()
                .filter(e -> TemplateQueries.sdkCall(TemplateQueries.JSON.valueToTree(e.getValue()).at("/Properties/Create"))
                        .path("action").asText().equals("describePrefixLists"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
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
}
