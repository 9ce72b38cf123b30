package io.perfbox.infra;

import java.util.List;
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
import software.constructs.Construct;

/**
 * Where customer containers run: isolated subnets only (no NAT gateway, no internet gateway); the AWS services a
 * task needs are reached through VPC endpoints, and the task security group allows HTTPS to those alone.
 * (Egress to the S3 gateway endpoint's prefix list, which image layer pulls need, comes with the runner.)
 */
public class IsolatedNetwork extends Construct {
    private final Vpc vpc;
    private final SecurityGroup taskSecurityGroup;

    public IsolatedNetwork(Construct scope, String id) {
        super(scope, id);
        vpc = Vpc.Builder.create(this, "Vpc")
                .ipAddresses(IpAddresses.cidr("10.42.0.0/16"))
                .maxAzs(2)
                .natGateways(0)
                .subnetConfiguration(List.of(SubnetConfiguration.builder()
                        .name("isolated").subnetType(SubnetType.PRIVATE_ISOLATED).cidrMask(24).build()))
                .build();
        SubnetSelection isolated = SubnetSelection.builder().subnetType(SubnetType.PRIVATE_ISOLATED).build();

        SecurityGroup endpoints = SecurityGroup.Builder.create(this, "EndpointSecurityGroup")
                .vpc(vpc).allowAllOutbound(false)
                .description("VPC interface endpoints: HTTPS from inside the VPC only").build();
        endpoints.addIngressRule(Peer.ipv4(vpc.getVpcCidrBlock()), Port.tcp(443), "HTTPS from the VPC");

        vpc.addGatewayEndpoint("S3", GatewayVpcEndpointOptions.builder()
                .service(GatewayVpcEndpointAwsService.S3).subnets(List.of(isolated)).build());
        for (var entry : List.of(
                new Object[] {"EcrApi", InterfaceVpcEndpointAwsService.ECR},
                new Object[] {"EcrDocker", InterfaceVpcEndpointAwsService.ECR_DOCKER},
                new Object[] {"Logs", InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS})) {
            vpc.addInterfaceEndpoint((String) entry[0], InterfaceVpcEndpointOptions.builder()
                    .service((InterfaceVpcEndpointAwsService) entry[1])
                    .subnets(isolated)
                    .securityGroups(List.of(endpoints))
                    .privateDnsEnabled(true)
                    .build());
        }

        taskSecurityGroup = SecurityGroup.Builder.create(this, "TaskSecurityGroup")
                .vpc(vpc).allowAllOutbound(false)
                .description("Customer containers: HTTPS to the VPC endpoints only, no internet").build();
        taskSecurityGroup.addEgressRule(endpoints, Port.tcp(443), "HTTPS to the interface endpoints");
    }

    public Vpc vpc() {
        return vpc;
    }

    public SecurityGroup taskSecurityGroup() {
        return taskSecurityGroup;
    }
}
