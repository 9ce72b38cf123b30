package io.perfbox.infra;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.IStableListProducer;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.customresources.AwsCustomResource;
import software.amazon.awscdk.customresources.AwsCustomResourcePolicy;
import software.amazon.awscdk.customresources.AwsSdkCall;
import software.amazon.awscdk.customresources.PhysicalResourceId;
import software.amazon.awscdk.customresources.SdkCallsPolicyOptions;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpoint;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpoint;
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
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.route53resolver.CfnFirewallDomainList;
import software.amazon.awscdk.services.route53resolver.CfnFirewallRuleGroup;
import software.amazon.awscdk.services.route53resolver.CfnFirewallRuleGroupAssociation;
import software.constructs.Construct;

/**
 * Where customer containers run: isolated subnets only (no NAT gateway, no internet gateway); the AWS services a
 * Fargate task needs (ECR image pulls with their S3 layers, CloudWatch Logs for awslogs) are reached through VPC
 * endpoints whose policies admit only what the run needs: the pulls of this stack's repositories, its task log group's
 * streams, and of S3 only ECR's layer bucket. /data is a volume of the task itself, no network at all. A DNS firewall
 * answers only the names of those endpoints, so no name outside is resolved from the VPC (a DNS
 * channel out). The task security group itself belongs to {@link IsolatedRunner}.
 */
public final class IsolatedNetwork extends Construct {
    /** The VPC's range; written out (not the VPC's attribute) so rules that check CIDRs can read it at synth. */
    public static final String CIDR = "10.42.0.0/16";
    private final Vpc vpc;
    private final SecurityGroup endpointSecurityGroup;
    private final String s3PrefixListId;
    /** The names the DNS firewall answers (every other name is blocked); added to until synthesis. */
    private final List<String> allowedNames = new ArrayList<>();
    /** The interface endpoints; their policies name the resources the task's pulls and logs use (admitTaskTraffic). */
    private final Map<InterfaceVpcEndpointAwsService, InterfaceVpcEndpoint> endpoints = new LinkedHashMap<>();

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

        // S3 only for the image layers ECR hands out (presigned by ECR, so the caller is ECR's, not ours). Nothing
        // in the VPC uses this stack's own bucket: no function runs in the VPC, and the run and its result never
        // touch S3 (the result is the task's collector's record on its log stream).
        GatewayVpcEndpoint s3 = vpc.addGatewayEndpoint("S3", GatewayVpcEndpointOptions.builder()
                .service(GatewayVpcEndpointAwsService.S3).subnets(List.of(isolated)).build());
        s3.addToPolicy(PolicyStatement.Builder.create()
                .sid("EcrImageLayersOnly")
                .principals(List.of(new AnyPrincipal()))
                .actions(List.of("s3:GetObject"))
                .resources(List.of("arn:" + Aws.PARTITION + ":s3:::" + ecrLayerBucket() + "/*"))
                .build());
        // ECR's layer URLs name the bucket virtual-hosted, with or without the region.
        allowedNames.add(ecrLayerBucket() + ".s3." + Aws.REGION + "." + Aws.URL_SUFFIX);
        allowedNames.add(ecrLayerBucket() + ".s3." + Aws.URL_SUFFIX);

        // ECR API + Docker registry (with S3 above): Fargate's image pull; Logs: the awslogs driver. ECS itself
        // calls them with the execution role; their policies (admitTaskTraffic) name this stack's resources.
        for (var entry : List.of(
                Map.entry("EcrApi", InterfaceVpcEndpointAwsService.ECR),
                Map.entry("EcrDocker", InterfaceVpcEndpointAwsService.ECR_DOCKER),
                Map.entry("Logs", InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS))) {
            InterfaceVpcEndpoint endpoint = vpc.addInterfaceEndpoint(entry.getKey(), InterfaceVpcEndpointOptions.builder()
                    .service(entry.getValue())
                    .subnets(isolated)
                    .securityGroups(List.of(endpointSecurityGroup))
                    // The group's own rule admits the VPC; CDK's "open" rule would duplicate it.
                    .open(false)
                    .privateDnsEnabled(true)
                    .build());
            endpoints.put(entry.getValue(), endpoint);
        }
        allowedNames.add("api.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX);
        allowedNames.add(Aws.ACCOUNT_ID + ".dkr.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX);
        allowedNames.add("logs." + Aws.REGION + "." + Aws.URL_SUFFIX);
        dnsFirewall();

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

    /**
     * The endpoint policies: what ECS pulls and logs for a job's task with its execution role, named. ECR (API and
     * Docker): the registry login (no resource-level permission, so this account's principals only) and the image
     * reads of the given repositories (the jobs' repository and the bootstrap's asset repository of the run clock);
     * their layers come through the S3 endpoint. Logs: the awslogs driver's stream and events in the task log group.
     * Anything else, of this account or another, is refused at the endpoint.
     */
    public void admitTaskTraffic(List<IRepository> repositories, String taskLogStreamsArn) {
        Map<String, Object> thisAccount = Ordered.map("StringEquals", Ordered.map("aws:PrincipalAccount", Aws.ACCOUNT_ID));
        for (var service : List.of(InterfaceVpcEndpointAwsService.ECR, InterfaceVpcEndpointAwsService.ECR_DOCKER)) {
            InterfaceVpcEndpoint endpoint = endpoints.get(service);
            endpoint.addToPolicy(PolicyStatement.Builder.create()
                    .sid("RegistryLoginOfThisAccountsPrincipals")
                    .principals(List.of(new AnyPrincipal()))
                    .actions(List.of("ecr:GetAuthorizationToken"))
                    .resources(List.of("*"))
                    .conditions(thisAccount)
                    .build());
            endpoint.addToPolicy(PolicyStatement.Builder.create()
                    .sid("ImagePullsOfThisStacksRepositories")
                    .principals(List.of(new AnyPrincipal()))
                    .actions(List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"))
                    .resources(repositories.stream().map(IRepository::getRepositoryArn).toList())
                    .conditions(thisAccount)
                    .build());
        }
        endpoints.get(InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS).addToPolicy(PolicyStatement.Builder.create()
                .sid("TaskLogStreamsOfThisStack")
                .principals(List.of(new AnyPrincipal()))
                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                .resources(List.of(taskLogStreamsArn))
                .conditions(thisAccount)
                .build());
    }

    /**
     * ECR's bucket of image layers in this region (what a pull downloads through the S3 endpoint): the bucket of the
     * S3 gateway endpoint policy example on AWS's "Amazon ECR interface VPC endpoints (AWS PrivateLink)" page
     * ({@code arn:aws:s3:::prod-region-starport-layer-bucket/*}).
     */
    static String ecrLayerBucket() {
        return "prod-" + Aws.REGION + "-starport-layer-bucket";
    }

    /**
     * Route 53 Resolver DNS Firewall on the VPC: the allowed names are answered (so are the names they are aliases
     * of: S3's answers are CNAME chains), every other query is answered NXDOMAIN. Without it the resolver answers any
     * public name, and a container could carry data out in the names it asks for.
     */
    private void dnsFirewall() {
        CfnFirewallDomainList allowed = CfnFirewallDomainList.Builder.create(this, "AllowedNames")
                .name("perfbox-allowed-names")
                .domains(Lazy.list(new IStableListProducer() {
                    @Override
                    public List<String> produce() {
                        return List.copyOf(allowedNames);
                    }
                }))
                .build();
        CfnFirewallDomainList everything = CfnFirewallDomainList.Builder.create(this, "EveryName")
                .name("perfbox-every-name")
                .domains(List.of("*"))
                .build();
        CfnFirewallRuleGroup rules = CfnFirewallRuleGroup.Builder.create(this, "DnsFirewall")
                .name("perfbox-isolated-dns")
                .firewallRules(List.of(
                        CfnFirewallRuleGroup.FirewallRuleProperty.builder()
                                .priority(100)
                                .firewallDomainListId(allowed.getAttrId())
                                .action("ALLOW")
                                .firewallDomainRedirectionAction("TRUST_REDIRECTION_DOMAIN")
                                .build(),
                        CfnFirewallRuleGroup.FirewallRuleProperty.builder()
                                .priority(200)
                                .firewallDomainListId(everything.getAttrId())
                                .action("BLOCK")
                                .blockResponse("NXDOMAIN")
                                .build()))
                .build();
        CfnFirewallRuleGroupAssociation.Builder.create(this, "DnsFirewallAssociation")
                .name("perfbox-isolated-dns")
                .firewallRuleGroupId(rules.getAttrId())
                .vpcId(vpc.getVpcId())
                // The lowest priority there is: evaluated before any rule group an administrator adds later.
                .priority(101)
                // Protection would stop `cdk destroy` removing it; the stack is what owns it.
                .mutationProtection("DISABLED")
                .build();
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
