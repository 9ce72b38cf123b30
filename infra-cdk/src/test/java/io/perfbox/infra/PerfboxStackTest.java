package io.perfbox.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class PerfboxStackTest {
    private static Template template;

    @BeforeAll
    static void synth() {
        template = Template.fromStack(PerfboxStack.createStack(new App(), "Test"));
    }

    @Test
    void jobTableHasTheStoresKeyDesignAndIsOnDemandWithRecovery() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of(
                "KeySchema", List.of(Map.of("AttributeName", "pk", "KeyType", "HASH")),
                "BillingMode", "PAY_PER_REQUEST",
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                "GlobalSecondaryIndexes", List.of(Match.objectLike(Map.of(
                        "IndexName", "byOwner",
                        "KeySchema", List.of(
                                Map.of("AttributeName", "owner", "KeyType", "HASH"),
                                Map.of("AttributeName", "createdKey", "KeyType", "RANGE")),
                        "Projection", Map.of("ProjectionType", "ALL"))))));
    }

    @Test
    void artifactBucketIsEncryptedPrivateAndExpiresOldArtifacts() {
        template.hasResourceProperties("AWS::S3::Bucket", Match.objectLike(Map.of(
                "BucketEncryption", Map.of("ServerSideEncryptionConfiguration",
                        List.of(Map.of("ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))),
                "PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                "LifecycleConfiguration", Map.of("Rules", List.of(Match.objectLike(Map.of(
                        "ExpirationInDays", 30, "Status", "Enabled")))))));
    }

    @Test
    void bucketPolicyRefusesRequestsWithoutTls() {
        template.hasResourceProperties("AWS::S3::BucketPolicy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Deny",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))));
    }

    @Test
    void networkHasNoNatGatewayAndNoInternetGateway() {
        template.resourceCountIs("AWS::EC2::NatGateway", 0);
        template.resourceCountIs("AWS::EC2::InternetGateway", 0);
        template.resourceCountIs("AWS::EC2::VPCGatewayAttachment", 0);
        template.hasResourceProperties("AWS::EC2::Subnet", Map.of("MapPublicIpOnLaunch", false));
    }

    private static Map<String, Object> regionalService(String suffix) {
        return Map.of("Fn::Join", List.of("", List.of("com.amazonaws.", Map.of("Ref", "AWS::Region"), suffix)));
    }

    @Test
    void servicesAreReachedThroughVpcEndpoints() {
        template.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                "VpcEndpointType", "Gateway", "ServiceName", regionalService(".s3")));
        for (String service : List.of(".ecr.api", ".ecr.dkr", ".logs")) {
            template.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                    "VpcEndpointType", "Interface", "ServiceName", regionalService(service), "PrivateDnsEnabled", true));
        }
        template.resourceCountIs("AWS::EC2::VPCEndpoint", 4);
    }

    @Test
    void taskSecurityGroupReachesOnlyTheEndpoints() {
        template.hasResourceProperties("AWS::EC2::SecurityGroup", Map.of(
                "GroupDescription", Match.stringLikeRegexp("Customer containers.*"),
                // allowAllOutbound=false: no inline egress; the only egress is the separate rule below.
                "SecurityGroupEgress", Match.absent()));
        template.hasResourceProperties("AWS::EC2::SecurityGroupEgress", Map.of(
                "FromPort", 443, "ToPort", 443, "IpProtocol", "tcp", "DestinationSecurityGroupId", Match.anyValue()));
        var openToTheInternet = template.findResources("AWS::EC2::SecurityGroup", Map.of("Properties", Map.of(
                "SecurityGroupEgress", Match.arrayWith(List.of(Match.objectLike(Map.of("CidrIp", "0.0.0.0/0")))))));
        assertThat(openToTheInternet).isEmpty();
        assertThat(template.findResources("AWS::EC2::SecurityGroupEgress",
                Map.of("Properties", Map.of("CidrIp", Match.anyValue())))).as("egress to address ranges").isEmpty();
    }

    @Test
    void badContextStopsTheSynthWithAMessage() {
        App app = new App();
        app.getNode().setContext("perfbox:artifactRetentionDays", "forever");
        assertThatThrownBy(() -> PerfboxStack.createStack(app, "Bad")).hasMessageContaining("artifactRetentionDays");
    }
}
