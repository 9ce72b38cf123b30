package io.perfbox.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awscdk.services.lambda.Function;
import software.constructs.IConstruct;

/**
 * cdk-nag (AwsSolutions) findings reviewed and accepted: each is scoped to the resource (and, for wildcard
 * permissions, to the exact resource pattern) it is about, with the reason. Anything new fails CdkNagTest.
 */
final class ReviewedNagFindings {
    /** The custom resource provider function CDK shares for AwsCustomResource (the S3 prefix list lookup). */
    private static final String AWS_CUSTOM_RESOURCE_PROVIDER = "AWS679f53fac002430cb0da5b7982bd2287";

    private static final String XRAY = "Resource::* here is X-Ray (xray:PutTraceSegments/PutTelemetryRecords), which "
            + "has no resource-level permissions; every other statement names its resources.";
    private static final String JAVA_21 = "Java 21 is the project's language level (maven release 21) and the "
            + "design's runtime with SnapStart; moving to a newer Java runtime is a deliberate upgrade of the whole "
            + "build, not a template change.";
    private static final String BASIC_EXECUTION = "AWSLambdaBasicExecutionRole only allows writing the function's "
            + "own CloudWatch logs; it is the AWS-maintained minimum for a Lambda.";

    /** Every log stream of the task log group (the runs' streams are named by task id at run time). */
    private static final RegexAppliesTo TASK_LOG_STREAMS = regex("^Resource::arn:<AWS::Partition>:logs:<AWS::Region>:"
            + "<AWS::AccountId>:log-group:<IsolatedRunnerTaskLogs[0-9A-F]+>:log-stream:\\*$");

    /** Every job's task role (named by the job id at run time). */

    private ReviewedNagFindings() {
    }

    static void apply(PerfboxStack stack) {
        suppress(stack.artifacts().bucket(), "AwsSolutions-S1", "Only perfbox's own roles reach this bucket (public "
                + "access blocked, TLS only); every object is a job's, written and read by the Lambdas and CodeBuild "
                + "under IAM. CloudTrail data events can be enabled per account if an audit trail is required; a "
                + "second logging bucket would itself need retention and destroy handling.");

        // Build and scan.
        suppress(stack.buildAndScan().project(), "AwsSolutions-CB4", "The project keeps no build artifacts "
                + "(NoArtifacts); its outputs are written to the artifact bucket (SSE-S3) and ECR (AES-256). "
                + "CodeBuild encrypts its logs and cache with the AWS-managed key; a customer-managed key would add a "
                + "billed key that outlives `cdk destroy` by its deletion window.");
        suppressWildcards(stack.buildAndScan().project(), "ecr:GetAuthorizationToken has no resource-level "
                        + "permissions (Resource::*); the build may read the job's Dockerfile and write the four build "
                        + "objects of any job (jobs/*/...), since one project serves every job, and read the mirrored "
                        + "scanner (the Trivy binary of the pinned version, the DB and Java DB archives named by their "
                        + "mirror time); CodeBuild's own default log group and report group patterns are CDK's grants for the "
                        + "project.",
                "Resource::*",
                regex("^Resource::<ArtifactsBucket[0-9A-F]+\\.Arn>/jobs/\\*/(Dockerfile|build\\.log|build-outcome\\.json|trivy-report\\.json|trivy-misconfig\\.json)$"),
                regex("^Resource::<ArtifactsBucket[0-9A-F]+\\.Arn>/scanner/(trivy-\\*/trivy|db-archives/\\*/trivy(-java)?-db\\.tar\\.gz)$"),
                regex("^Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<BuildAndScanProject[0-9A-F]+>:\\*$"),
                regex("^Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/<BuildAndScanProject[0-9A-F]+>-\\*$"));

        suppress(stack.buildAndScan().scannerMirror(), "AwsSolutions-CB4", "The project keeps no build artifacts "
                + "(NoArtifacts); what it mirrors is written to the artifact bucket (SSE-S3). CodeBuild encrypts its "
                + "logs with the AWS-managed key; a customer-managed key would add a billed key that outlives "
                + "`cdk destroy` by its deletion window.");
        suppressWildcards(stack.buildAndScan().scannerMirror(), "The mirror writes the scanner/ prefix (the Trivy "
                        + "binary, the DB archives named by their mirror time, current.json) and nothing else of the "
                        + "bucket, and reads back the Trivy binary it publishes; CodeBuild's own default log group and "
                        + "report group patterns are CDK's grants for the project.",
                regex("^Resource::<ArtifactsBucket[0-9A-F]+\\.Arn>/scanner/(\\*|trivy-\\*/trivy)$"),
                regex("^Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<BuildAndScanScannerMirror[0-9A-F]+>:\\*$"),
                regex("^Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/<BuildAndScanScannerMirror[0-9A-F]+>-\\*$"));

        // The task roles.
        suppressWildcards(stack.runner().taskExecutionRole(), "ECS pulls the job image (ecr:GetAuthorizationToken "
                        + "has no resource-level permissions) and creates the task's log streams, whose names are "
                        + "only known at run time, in the one task log group.",
                "Resource::*", TASK_LOG_STREAMS);

        // Workflow Lambdas.
        for (WorkflowFunctions.State state : WorkflowFunctions.State.values()) {
            Function function = stack.workflowFunctions().function(state);
            lambdaBasics(function);
            suppressWildcards(function, XRAY + " ECS's DeregisterTaskDefinition and ListTaskDefinitions have no "
                            + "resource-level permissions either, nor ListTasks (conditioned on this cluster instead). The "
                            + "other patterns are per-job resources whose ids exist only at run time: the build objects (and "
                            + "the Dockerfile AfterBuild reads to name a failed build's instruction) "
                            + "and kept artifacts of a job in the bucket (RecordRun reads back the run log of a job's earlier runs), and its objects under jobs/ (removed when the job "
                            + "was deleted while a step ran), the perfbox-job-* task definition families, the tasks of "
                            + "this cluster (also conditioned on it), the run log streams (the job's and its collector's), "
                            + "and the executions of this "
                            + "stack's job state machine (a job's execution is named by its id: the clean-up reads its "
                            + "history for the job's builds, the reconciler describes it). Each function has only the "
                            + "groups its handler calls.",
                    "Resource::*",
                    regex("^Resource::<ArtifactsBucket[0-9A-F]+\\.Arn>/jobs/\\*(/(build\\.log|build-outcome\\.json|trivy-report\\.json|trivy-misconfig\\.json|Dockerfile|artifacts/\\*|artifacts/run-log\\.json))?$"),
                    regex("^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/perfbox-job-\\*$"),
                    regex("^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<IsolatedRunnerCluster[0-9A-F]+>/\\*$"),
                    regex("^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:[A-Za-z0-9_-]+-JobWorkflow:\\*$"),
                    TASK_LOG_STREAMS);
        }

        // The queue of failed clean-ups is itself the dead-letter queue of the execution-ended rule and functions.
        suppress(stack.workflow().failedCleanUps(), "AwsSolutions-SQS3", "This queue is the dead-letter queue: it "
                + "keeps the clean-up events that failed every try, for the alarm and an operator; a queue behind it "
                + "would have nothing to receive.");

        // The state machine.
        suppressWildcards(stack.workflow().stateMachine(), "Resource::* is what Step Functions needs for X-Ray and for "
                        + "delivering execution logs (logs:*LogDelivery have no resource-level permissions). The Lambda "
                        + "patterns are the functions' versions (:*). RunTask names the job task families "
                        + "(perfbox-job-*:*, only registered at run time) and is conditioned on this cluster, as are "
                        + "StopTask/DescribeTasks on its tasks.",
                "Resource::*",
                regex("^Resource::<WorkflowFunctions[A-Za-z]+[0-9A-F]{8}\\.Arn>:\\*$"),
                "Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/perfbox-job-*:*",
                regex("^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<IsolatedRunnerCluster[0-9A-F]+>/\\*$"));

        // The API.
        var api = stack.api().api();
        suppress(api, "AwsSolutions-APIG2", "Each handler validates its request (the Dockerfile, idempotency key, "
                + "paging and ids) and answers RFC 9457 problems; API Gateway models would duplicate the OpenAPI "
                + "document the API serves and answer in another format.");
        suppress(api, "AwsSolutions-APIG3", "Every method needs an API key, and the usage plan throttles and caps "
                + "each key per day; a WAF web ACL (billed per month and per request) is left to deployments that "
                + "expose the API widely.");
        suppress(api, "AwsSolutions-APIG4", "Every method has the Lambda TOKEN authorizer (TenantAuthorizer over the "
                + "hashed perfbox keys); the finding stays for the API Gateway key also required, which only meters.");
        suppress(api, "AwsSolutions-COG4", "Tenants authenticate with perfbox keys checked by a Lambda authorizer, "
                + "not Cognito users: machine clients, one key per tenant, revocable by the operator.");
        lambdaBasics(stack.api().authorizerFunction());
        suppressWildcards(stack.api().authorizerFunction(), XRAY, "Resource::*");
        suppress(api, "AwsSolutions-IAM4", "AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy of "
                        + "the account's API Gateway logging role (execution logs at ERROR level).",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs");
        stack.api().functions().forEach((route, function) -> {
            lambdaBasics(function);
            List<Object> patterns = new ArrayList<>(List.of("Resource::*"));
            String reason = XRAY;
            switch (route) {
                case SUBMIT_JOB -> {
                    patterns.add(regex("^Resource::<ArtifactsBucket[0-9A-F]+\\.Arn>/jobs/\\*/Dockerfile$"));
                    reason += " It stores the Dockerfile of the job it creates (jobs/*/Dockerfile).";
                }
                case DELETE_JOB -> {
                    patterns.add(regex("^Resource::<ArtifactsBucket[0-9A-F]+\\.Arn>/jobs/\\*$"));
                    reason += " Deleting a finished job removes its objects (jobs/{id}/...).";
                }
                case CANCEL_JOB -> {
                    patterns.add(regex("^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.*:\\*$"));
                    reason += " Cancelling a job stops its execution, named by the job id, of this state machine only.";
                }
                case GET_JOB_DOCKERFILE -> {
                    patterns.add(regex("^Resource::<ArtifactsBucket[0-9A-F]+\\.Arn>/jobs/\\*/Dockerfile$"));
                    reason += " It reads the Dockerfile the job was submitted with (jobs/{id}/Dockerfile).";
                }
                case GET_JOB_LOGS -> {
                    patterns.add(regex("^Resource::<ArtifactsBucket[0-9A-F]+\\.Arn>/jobs/\\*/artifacts/\\*$"));
                    patterns.add(regex("^Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:"
                            + "<(BuildAndScanBuildLogs|IsolatedRunnerTaskLogs)[0-9A-F]+>:log-stream:\\*$"));
                    patterns.add(regex("^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.*:\\*$"));
                    reason += " It reads the job's kept artifacts (jobs/{id}/artifacts/...) and, while a step runs, its"
                            + " output: the streams of CodeBuild's and the tasks' log groups (a stream is named by a"
                            + " build or task id, known only at run time), found in the history of the job's execution"
                            + " of this state machine only.";
                }
                case GET_JOB_SCAN -> {
                    patterns.add(regex("^Resource::<ArtifactsBucket[0-9A-F]+\\.Arn>/jobs/\\*/artifacts/\\*$"));
                    reason += " It reads the job's kept artifacts (jobs/{id}/artifacts/...).";
                }
                default -> { }
            }
            suppressWildcards(function, reason, patterns.toArray());
        });

        // CDK's shared provider of the S3 prefix list lookup (AwsCustomResource).
        suppressWildcards(stack.network().getNode().findChild("S3PrefixList"), "ec2:DescribePrefixLists has no "
                + "resource-level permissions; the call only reads the region's S3 prefix list id.", "Resource::*");
        IConstruct provider = stack.getNode().tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER);
        if (provider != null) {
            suppress(provider, "AwsSolutions-IAM4", "CDK's AwsCustomResource provider (deploy time only) writes its "
                    + "logs with AWSLambdaBasicExecutionRole.",
                    "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
        }
    }

    private static void lambdaBasics(Function function) {
        suppress(function, "AwsSolutions-L1", JAVA_21);
        suppress(function, "AwsSolutions-IAM4", BASIC_EXECUTION,
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
    }

    private static void suppressWildcards(IConstruct scope, String reason, Object... appliesTo) {
        suppress(scope, "AwsSolutions-IAM5", reason, appliesTo);
    }

    private static void suppress(IConstruct scope, String rule, String reason, Object... appliesTo) {
        var suppression = NagPackSuppression.builder().id(rule).reason(reason);
        if (appliesTo.length > 0) {
            suppression.appliesTo(List.of(appliesTo));
        }
        NagSuppressions.addResourceSuppressions(scope, List.of(suppression.build()), true);
    }

    private static RegexAppliesTo regex(String pattern) {
        return RegexAppliesTo.builder().regex("/" + pattern + "/").build();
    }
}
