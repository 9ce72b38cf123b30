package io.perfbox.testing.aws;

import java.util.List;

/**
 * AWS answers as AWS documents them or as they were published from real accounts, kept verbatim (or as near as the
 * source allows) so the fixtures built on them ({@link StepInputs}) inherit their shape: each says where it comes
 * from. The fixtures change ids, names and times only; a value no source shows is said to be unevidenced where it is
 * used.
 */
public final class RecordedPayloads {
    private RecordedPayloads() {
    }

    /**
     * The output of {@code arn:aws:states:::ecs:runTask.sync} for a Fargate task (platform 1.4.0, "StartedBy": "AWS
     * Step Functions") whose one container exited 0, recorded from a real account (602836945884, ap-southeast-2) and
     * published in umccr/elsa-data-aws-copy-out, workload-copy-out/construct/fargate-run-task-construct.ts (the
     * comment "An example output from an ECS runtask"). Verbatim, except: the container's Overrides (the customer's
     * own command and environment there) are left out, and ImageDigest and RuntimeId were already redacted by the
     * publisher ("sha256:REDACTED", "ABCD-123"). Its task was placed on FARGATE_SPOT (CapacityProviderName), which
     * perfbox's RunTask does not ask for: {@link StepInputs} drops that field.
     */
    public static final String ECS_RUN_TASK_SYNC_OUTPUT = """
            {
              "Attachments": [
                {
                  "Details": [
                    {"Name": "subnetId", "Value": "subnet-035b8252d7f6edee1"},
                    {"Name": "networkInterfaceId", "Value": "eni-077e4eb4385083b95"},
                    {"Name": "macAddress", "Value": "06:9a:85:f4:35:d8"},
                    {"Name": "privateDnsName", "Value": "ip-10-0-64-84.ap-southeast-2.compute.internal"},
                    {"Name": "privateIPv4Address", "Value": "10.0.64.84"}
                  ],
                  "Id": "c06f9ba6-3cfb-472a-bbd2-a02cf5d3ef4d",
                  "Status": "DELETED",
                  "Type": "eni"
                }
              ],
              "Attributes": [{"Name": "ecs.cpu-architecture", "Value": "x86_64"}],
              "AvailabilityZone": "ap-southeast-2b",
              "CapacityProviderName": "FARGATE_SPOT",
              "ClusterArn": "arn:aws:ecs:ap-southeast-2:602836945884:cluster/ElsaDataAgCopyOutStack-FargateCluster7CCD5F93-Fqt1RPmV8sGS",
              "Connectivity": "CONNECTED",
              "ConnectivityAt": 1680596446117,
              "Containers": [
                {
                  "ContainerArn": "arn:aws:ecs:ap-southeast-2:602836945884:container/ElsaDataAgCopyOutStack-FargateCluster7CCD5F93-Fqt1RPmV8sGS/2696321ed56a477d9fc75f7e4f037ba2/3d49f64d-56af-4106-b027-40c1cd407b66",
                  "Cpu": "0",
                  "ExitCode": 0,
                  "GpuIds": [],
                  "Image": "602836945884.dkr.ecr.ap-southeast-2.amazonaws.com/cdk-hnb659fds-container-assets-602836945884-ap-southeast-2:307e4b58f91d748a9d6c233f7e04e6bcd5e19f27290a4481c2e007cc25a2ae93",
                  "ImageDigest": "sha256:REDACTED",
                  "LastStatus": "STOPPED",
                  "ManagedAgents": [],
                  "Name": "RcloneContainer",
                  "NetworkBindings": [],
                  "NetworkInterfaces": [
                    {"AttachmentId": "c06f9ba6-3cfb-472a-bbd2-a02cf5d3ef4d", "PrivateIpv4Address": "10.0.64.84"}
                  ],
                  "RuntimeId": "ABCD-123",
                  "TaskArn": "arn:aws:ecs:ap-southeast-2:602836945884:task/ElsaDataAgCopyOutStack-FargateCluster7CCD5F93-Fqt1RPmV8sGS/2696321ed56a477d9fc75f7e4f037ba2"
                }
              ],
              "Cpu": "256",
              "CreatedAt": 1680596442871,
              "DesiredStatus": "STOPPED",
              "EnableExecuteCommand": false,
              "EphemeralStorage": {"SizeInGiB": 20},
              "ExecutionStoppedAt": 1680596471735,
              "Group": "family:ElsaDataAgCopyOutStackCopyOutRcloneFargateTaskTdC05A385E",
              "InferenceAccelerators": [],
              "LastStatus": "STOPPED",
              "LaunchType": "FARGATE",
              "Memory": "512",
              "Overrides": {
                "ContainerOverrides": [{"Name": "RcloneContainer"}],
                "InferenceAcceleratorOverrides": []
              },
              "PlatformVersion": "1.4.0",
              "PullStartedAt": 1680596461639,
              "PullStoppedAt": 1680596463273,
              "StartedAt": 1680596463814,
              "StartedBy": "AWS Step Functions",
              "StopCode": "EssentialContainerExited",
              "StoppedAt": 1680596504771,
              "StoppedReason": "Essential container in task exited",
              "StoppingAt": 1680596481818,
              "Tags": [],
              "TaskArn": "arn:aws:ecs:ap-southeast-2:602836945884:task/ElsaDataAgCopyOutStack-FargateCluster7CCD5F93-Fqt1RPmV8sGS/2696321ed56a477d9fc75f7e4f037ba2",
              "TaskDefinitionArn": "arn:aws:ecs:ap-southeast-2:602836945884:task-definition/ElsaDataAgCopyOutStackCopyOutRcloneFargateTaskTdC05A385E:1",
              "Version": 5
            }
            """;

    // ---- ECS's stop codes and stopped reasons ----

    /**
     * What a task that ended by its essential container's exit says: StopCode and StoppedReason of the recorded
     * output above.
     */
    public static final String STOP_ESSENTIAL_EXITED = "EssentialContainerExited";
    public static final String REASON_ESSENTIAL_EXITED = "Essential container in task exited";
    /**
     * A Fargate Spot task's host taken back: the ECS Developer Guide, "AWS Fargate capacity providers" (its task state
     * change event for a Spot termination notice: "stopCode": "TerminationNotice", "stoppedReason": "Your Spot Task
     * was interrupted."; awsdocs/amazon-ecs-developer-guide doc_source/fargate-capacity-providers.md).
     */
    public static final String STOP_TERMINATION_NOTICE = "TerminationNotice";
    public static final String REASON_SPOT_INTERRUPTED = "Your Spot Task was interrupted.";
    /**
     * ECS's TaskStopCode values in the current SDK models (the AWS SDK for Python v4 reference, ECS enum
     * TaskStopCode): EssentialContainerExited, InfrastructureHealth, ServiceSchedulerInitiated, SpotInterruption,
     * TaskFailedToStart, TerminationNotice, UserInitiated. No source here shows the StoppedReason ECS writes with
     * InfrastructureHealth, ServiceSchedulerInitiated or SpotInterruption: fixtures using them give the Spot reason
     * above and say so.
     */
    public static final List<String> TASK_STOP_CODES = List.of("EssentialContainerExited",
            "InfrastructureHealth", "ServiceSchedulerInitiated", "SpotInterruption", "TaskFailedToStart",
            "TerminationNotice", "UserInitiated");
    public static final String STOP_FAILED_TO_START = "TaskFailedToStart";

    // ---- CodeBuild ----

    /**
     * A finished build as BatchGetBuilds answers it, from the AWS CLI's own documented example
     * (aws/aws-cli, awscli/examples/codebuild/batch-get-builds.rst, its first build): every phase with its phaseType,
     * phaseStatus, times and contexts, COMPLETED last without a status. Trimmed of the fields perfbox never reads
     * (artifacts, logs, environment, source, cache, encryption); camelCase as the API answers (Step Functions hands the
     * same members to the state in PascalCase, and perfbox's reader takes either case).
     */
    public static final String CODEBUILD_BUILD_SUCCEEDED = """
            {
              "projectName": "codebuild-demo-project",
              "buildComplete": true,
              "buildStatus": "SUCCEEDED",
              "phases": [
                {"durationInSeconds": 0, "startTime": 1548717462.122, "phaseType": "SUBMITTED", "endTime": 1548717462.484, "phaseStatus": "SUCCEEDED"},
                {"durationInSeconds": 0, "startTime": 1548717462.484, "phaseType": "QUEUED", "endTime": 1548717462.775, "phaseStatus": "SUCCEEDED"},
                {"durationInSeconds": 34, "endTime": 1548717496.909, "contexts": [{"statusCode": "", "message": ""}], "startTime": 1548717462.775, "phaseType": "PROVISIONING", "phaseStatus": "SUCCEEDED"},
                {"durationInSeconds": 15, "endTime": 1548717512.555, "contexts": [{"statusCode": "", "message": ""}], "startTime": 1548717496.909, "phaseType": "DOWNLOAD_SOURCE", "phaseStatus": "SUCCEEDED"},
                {"durationInSeconds": 0, "endTime": 1548717512.734, "contexts": [{"statusCode": "", "message": ""}], "startTime": 1548717512.555, "phaseType": "INSTALL", "phaseStatus": "SUCCEEDED"},
                {"durationInSeconds": 0, "endTime": 1548717512.924, "contexts": [{"statusCode": "", "message": ""}], "startTime": 1548717512.734, "phaseType": "PRE_BUILD", "phaseStatus": "SUCCEEDED"},
                {"durationInSeconds": 9, "endTime": 1548717522.254, "contexts": [{"statusCode": "", "message": ""}], "startTime": 1548717512.924, "phaseType": "BUILD", "phaseStatus": "SUCCEEDED"},
                {"durationInSeconds": 3, "endTime": 1548717525.498, "contexts": [{"statusCode": "", "message": ""}], "startTime": 1548717522.254, "phaseType": "POST_BUILD", "phaseStatus": "SUCCEEDED"},
                {"durationInSeconds": 9, "endTime": 1548717534.646, "contexts": [{"statusCode": "", "message": ""}], "startTime": 1548717525.498, "phaseType": "UPLOAD_ARTIFACTS", "phaseStatus": "SUCCEEDED"},
                {"durationInSeconds": 2, "endTime": 1548717536.846, "contexts": [{"statusCode": "", "message": ""}], "startTime": 1548717534.646, "phaseType": "FINALIZING", "phaseStatus": "SUCCEEDED"},
                {"startTime": 1548717536.846, "phaseType": "COMPLETED"}
              ],
              "startTime": 1548717462.122,
              "initiator": "codepipeline/CodeBuild-Pipeline",
              "currentPhase": "COMPLETED",
              "id": "codebuild-demo-project:e9c4f4df-3f43-41d2-ab3a-60fe2EXAMPLE",
              "endTime": 1548717536.846,
              "arn": "arn:aws:codebuild:us-west-2:123456789012:build/codebuild-demo-project:e9c4f4df-3f43-41d2-ab3a-60fe2EXAMPLE",
              "queuedTimeoutInMinutes": 480,
              "timeoutInMinutes": 60
            }
            """;

    /**
     * CodeBuild's phase statuses (StatusType): SUCCEEDED, FAILED, FAULT, TIMED_OUT, IN_PROGRESS, STOPPED (CodeBuild
     * API Reference, BuildPhase and BuildBatchPhase: "phaseStatus ... Valid Values: SUCCEEDED | FAILED | FAULT |
     * TIMED_OUT | IN_PROGRESS | STOPPED"; FAULT: "The build phase faulted"). A build's buildStatus takes the same
     * values.
     */
    public static final List<String> CODEBUILD_STATUSES = List.of("SUCCEEDED", "FAILED", "FAULT",
            "TIMED_OUT", "IN_PROGRESS", "STOPPED");

    /**
     * Phase contexts of failed phases as CodeBuild logged them on real builds ("Phase context status code: X
     * Message: Y"): YAML_FILE_ERROR in DOWNLOAD_SOURCE (aws-samples/aws-saas-factory-ref-solution-serverless-saas
     * issue #3, aws-samples/mlops-e2e issue #68), CLIENT_ERROR in UPLOAD_ARTIFACTS ("no matching artifact paths found",
     * aws/copilot-cli issue #5788), COMMAND_EXECUTION_ERROR for a buildspec command that failed ("Error while executing
     * command: ... Reason: exit status N", the form CodeBuild prints for a failed command). CodeBuild documents no list
     * of these codes.
     */
    public static final String CONTEXT_CLIENT_ERROR = "CLIENT_ERROR";
    public static final String CONTEXT_YAML_FILE_ERROR = "YAML_FILE_ERROR";
    public static final String CONTEXT_COMMAND_EXECUTION_ERROR = "COMMAND_EXECUTION_ERROR";

    // ---- Lambda and Step Functions' names for its errors ----

    /**
     * The error document Lambda's Java runtime returns for a handler's exception (Lambda Developer Guide, "AWS Lambda
     * function errors in Java"): errorMessage, errorType (the exception's class name), stackTrace as strings.
     * Step Functions names the state's error by errorType and puts the document in Cause (Step Functions Developer
     * Guide, "Handling errors in Step Functions workflows" / "Handle Lambda service exceptions"; the Node.js form of
     * the same rule in awsdocs/aws-lambda-developer-guide, nodejs-prog-mode-exceptions.md: "The name property of the
     * Error object must match the ErrorEquals value"). Unhandled errors without a type (out of memory, the function's
     * timeout) are reported as Lambda.Unknown; the service's own failures as Lambda.ServiceException,
     * Lambda.AWSLambdaException, Lambda.SdkClientException, Lambda.ClientExecutionTimeoutException, and throttling as
     * Lambda.TooManyRequestsException ("Handle Lambda service exceptions",
     * docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
     */
    public static final String LAMBDA_UNKNOWN = "Lambda.Unknown";
    public static final List<String> LAMBDA_SERVICE_ERRORS = List.of("Lambda.ServiceException",
            "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.ClientExecutionTimeoutException");
    public static final String LAMBDA_THROTTLED = "Lambda.TooManyRequestsException";

    /**
     * Step Functions' ECS integration, "Run Amazon ECS or Fargate tasks with Step Functions"
     * (docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html): "ecs:runTask can return an HTTP 200 response,
     * but have a non-empty Failures field ... Run a Job or Task Token: If a non-empty Failures field is encountered,
     * the task is failed with an AmazonECS.Unknown error." The Cause text Step Functions writes with it is not shown
     * there: fixtures give RunTask's Failures (arn, reason, as the ECS API Reference's Failure has them) and say so.
     */
    public static final String ECS_UNKNOWN = "AmazonECS.Unknown";
    /** The Amazon States Language's predefined names (states-language.net, Appendix A). */
    public static final String STATES_TASK_FAILED = "States.TaskFailed";
    public static final String STATES_TIMEOUT = "States.Timeout";
}
