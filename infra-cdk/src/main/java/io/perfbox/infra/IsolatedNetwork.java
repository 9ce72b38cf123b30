package io.perfbox.infra;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.customresources.AwsCustomResource;
import software.amazon.awscdk.customresources.AwsCustomResourcePolicy;
import software.amazon.awscdk.customresources.AwsSdkCall;
import software.amazon.awscdk.customresources.PhysicalResourceId;
import software.amazon.awscdk.customresources.SdkCallsPolicyOptions;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.IpAddresses;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * Where customer containers run: isolated subnets only (no NAT gateway, no internet gateway); the AWS services a
 * Fargate task needs (ECR image pulls with their S3 layers, CloudWatch Logs for awslogs, EFS for /data) are reached
 * through VPC endpoints. The task security group itself belongs to {@link IsolatedRunner}.
 */
public class IsolatedNetwork extends Construct {
    /** The VPC's range; written out (not the VPC's attribute) so rules that check CIDRs can read it at synth. */
    public static final String CIDR = "10.42.0.0/16";
    private final Vpc vpc;
    private final SecurityGroup endpointSecurityGroup;
    private final String s3PrefixListId;

    public IsolatedNetwork(Construct scope, String id, RetentionDays logRetention) {
        super(scope, id);
        vpc = Vpc.Builder.create(this, "Vpc")
                .ipAddresses(IpAddresses.cidr(CIDR))
                .maxAzs(2)
                .natGateways(0)
                .subnetConfiguration(List.of(SubnetConfiguration.builder()
                        .name("isolated").subnetType(SubnetType.PRIVATE_ISOLATED).cidrMask(24).build()))
                .build();
        // Rejected and accepted flows alike: evidence if a customer container ever tries to reach out.
        vpc.addFlowLog("FlowLog", FlowLogOptions.builder()
                .trafficType(FlowLogTrafficType.ALL)
                .destination(FlowLogDestination.toCloudWatchLogs(LogGroup.Builder.create(this, "FlowLogGroup")
                        .retention(logRetention).removalPolicy(RemovalPolicy.DESTROY).build()))
                .build());
        SubnetSelection isolated = isolatedSubnets();

        endpointSecurityGroup = SecurityGroup.Builder.create(this, "EndpointSecurityGroup")
                .vpc(vpc).allowAllOutbound(false)
                .description("VPC interface endpoints: HTTPS from inside the VPC only").build();
        endpointSecurityGroup.addIngressRule(Peer.ipv4(CIDR), Port.tcp(443), "HTTPS from the VPC");

        vpc.addGatewayEndpoint("S3", GatewayVpcEndpointOptions.builder()
                .service(GatewayVpcEndpointAwsService.S3).subnets(List.of(isolated)).build());
        // ECR API + Docker registry + S3 (layers): Fargate's image pull; Logs: the awslogs driver;
        // EFS: the mount helper's IAM authorisation of the per-job access point.
        for (var entry : List.of(
                Map.entry("EcrApi", InterfaceVpcEndpointAwsService.ECR),
                Map.entry("EcrDocker", InterfaceVpcEndpointAwsService.ECR_DOCKER),
                Map.entry("Logs", InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS),
                Map.entry("Efs", InterfaceVpcEndpointAwsService.ELASTIC_FILESYSTEM))) {
            vpc.addInterfaceEndpoint(entry.getKey(), InterfaceVpcEndpointOptions.builder()
                    .service(entry.getValue())
                    .subnets(isolated)
                    .securityGroups(List.of(endpointSecurityGroup))
                    // The group's own rule admits the VPC; CDK's "open" rule would duplicate it.
                    .open(false)
                    .privateDnsEnabled(true)
                    .build());
        }

        // The S3 gateway endpoint is reached through the region's S3 prefix list; CloudFormation has no attribute
        // for its id, so it is read once at deploy time (a read-only EC2 call).
        AwsSdkCall describeS3PrefixList = AwsSdkCall.builder()
                .service("EC2")
                .action("describePrefixLists")
                .parameters(Ordered.map("Filters", List.of(Ordered.map(
                        "Name", "prefix-list-name", "Values", List.of("com.amazonaws." + Aws.REGION + ".s3")))))
                .physicalResourceId(PhysicalResourceId.of("s3-prefix-list"))
                .outputPaths(List.of("PrefixLists.0.PrefixListId"))
                .build();
        AwsCustomResource s3PrefixList = AwsCustomResource.Builder.create(this, "S3PrefixList")
                .onCreate(describeS3PrefixList)
                .onUpdate(describeS3PrefixList)
                .policy(AwsCustomResourcePolicy.fromSdkCalls(SdkCallsPolicyOptions.builder()
                        .resources(AwsCustomResourcePolicy.ANY_RESOURCE).build()))
                .installLatestAwsSdk(false)
                .logGroup(LogGroup.Builder.create(this, "S3PrefixListLookupLogs")
                        .retention(logRetention).removalPolicy(RemovalPolicy.DESTROY).build())
                .build();
        s3PrefixListId = s3PrefixList.getResponseField("PrefixLists.0.PrefixListId");
    }

    public static SubnetSelection isolatedSubnets() {
        return SubnetSelection.builder().subnetType(SubnetType.PRIVATE_ISOLATED).build();
    }

    public Vpc vpc() {
        return vpc;
    }

    public SecurityGroup endpointSecurityGroup() {
        return endpointSecurityGroup;
    }

    /** The id of the region's S3 prefix list (what the gateway endpoint routes), resolved at deploy time. */
    public String s3PrefixListId() {
        return s3PrefixListId;
    }
}
