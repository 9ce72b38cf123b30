package io.perfbox.adapter.aws.efs;

import io.perfbox.adapter.aws.Pause;
import io.perfbox.adapter.aws.efs.AccessPoints;
import io.perfbox.adapter.aws.AwsJobNames;
import io.perfbox.adapter.aws.JobResourceInventory;
import io.perfbox.core.domain.JobId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.efs.EfsClient;
import software.amazon.awssdk.services.efs.model.AccessPointAlreadyExistsException;
import software.amazon.awssdk.services.efs.model.AccessPointDescription;
import software.amazon.awssdk.services.efs.model.AccessPointNotFoundException;
import software.amazon.awssdk.services.efs.model.CreateAccessPointRequest;
import software.amazon.awssdk.services.efs.model.CreationInfo;
import software.amazon.awssdk.services.efs.model.DescribeAccessPointsResponse;
import software.amazon.awssdk.services.efs.model.LifeCycleState;
import software.amazon.awssdk.services.efs.model.RootDirectory;
import software.amazon.awssdk.services.efs.model.Tag;

/**
 * {@link AccessPoints} on EFS: the job's access point is rooted at {@code /jobs/<id>}, which EFS creates owned by
 * 1000:1000 with mode 0777 so the image may run as any user and still write its result. No POSIX user is imposed:
 * the container writes as whoever it runs as, inside its own directory only.
 */
public class EfsAccessPoints implements AccessPoints, JobResourceInventory {
    static final long OWNER = 1000L;
    static final String PERMISSIONS = "0777";

    private static final Pause SLEEP = Pause.sleeping("an access point");
    private static final int AVAILABILITY_CHECKS = 30;

    private final EfsClient efs;
    private final String fileSystemId;
    private final Pause pause;

    public EfsAccessPoints(EfsClient efs, String fileSystemId) {
        this(efs, fileSystemId, SLEEP);
    }

    EfsAccessPoints(EfsClient efs, String fileSystemId, Pause pause) {
        this.efs = efs;
        this.fileSystemId = fileSystemId;
        this.pause = pause;
    }

    @Override
    public String create(JobId id) {
        AccessPointDescription created;
        try {
            var response = efs.createAccessPoint(request(id));
            created = AccessPointDescription.builder().accessPointId(response.accessPointId())
                    .lifeCycleState(response.lifeCycleState()).build();
        } catch (AccessPointAlreadyExistsException e) {
            // An earlier try created it (the client token is the job id).
            created = find(id).stream().findFirst().orElseThrow(() -> e);
        }
        return awaitAvailable(id, created);
    }

    CreateAccessPointRequest request(JobId id) {
        return CreateAccessPointRequest.builder()
                .clientToken(id.value())
                .fileSystemId(fileSystemId)
                .rootDirectory(RootDirectory.builder().path(AwsJobNames.accessPointRoot(id))
                        .creationInfo(CreationInfo.builder().ownerUid(OWNER).ownerGid(OWNER).permissions(PERMISSIONS).build())
                        .build())
                .tags(Tag.builder().key("Name").value(AwsJobNames.taskFamily(id)).build(),
                        Tag.builder().key(JOB_TAG).value(id.value()).build())
                .build();
    }

    /** A task mounting an access point that is still being created fails to start: wait (briefly) until it is not. */
    private String awaitAvailable(JobId id, AccessPointDescription ap) {
        LifeCycleState state = ap.lifeCycleState();
        for (int check = 0; state != LifeCycleState.AVAILABLE && check < AVAILABILITY_CHECKS; check++) {
            if (state == LifeCycleState.ERROR || state == LifeCycleState.DELETING || state == LifeCycleState.DELETED) {
                throw new IllegalStateException("the access point " + ap.accessPointId() + " of job " + id + " is " + state);
            }
            pause.pause(Duration.ofSeconds(1));
            state = efs.describeAccessPoints(b -> b.accessPointId(ap.accessPointId())).accessPoints().stream()
                    .findFirst().map(AccessPointDescription::lifeCycleState).orElse(LifeCycleState.DELETED);
        }
        if (state != LifeCycleState.AVAILABLE) {
            throw new IllegalStateException("the access point " + ap.accessPointId() + " of job " + id
                    + " is still " + state + " after " + AVAILABILITY_CHECKS + " s");
        }
        return ap.accessPointId();
    }

    @Override
    public void delete(JobId id) {
        for (AccessPointDescription ap : find(id)) {
            try {
                efs.deleteAccessPoint(b -> b.accessPointId(ap.accessPointId()));
            } catch (AccessPointNotFoundException e) {
                // gone already
            }
        }
    }

    /** The tag every job's access point carries: its job id (the workspace functions' own access point has none). */
    public static final String JOB_TAG = "perfbox:job";

    @Override
    public String kind() {
        return "access points";
    }

    /** The jobs with an access point on the file system, by its {@value #JOB_TAG} tag. */
    @Override
    public Set<JobId> holders() {
        Set<JobId> jobs = new LinkedHashSet<>();
        String token = null;
        do {
            String page = token;
            DescribeAccessPointsResponse listed = efs.describeAccessPoints(b -> b.fileSystemId(fileSystemId).nextToken(page));
            for (AccessPointDescription ap : listed.accessPoints()) {
                ap.tags().stream().filter(t -> JOB_TAG.equals(t.key()))
                        .map(t -> JobResourceInventory.jobIdAfter("", t.value()))
                        .filter(java.util.Objects::nonNull).forEach(jobs::add);
            }
            token = listed.nextToken();
        } while (token != null);
        return jobs;
    }

    /** The job's access points on the file system (normally one), found by their root directory. */
    List<AccessPointDescription> find(JobId id) {
        String root = AwsJobNames.accessPointRoot(id);
        List<AccessPointDescription> found = new ArrayList<>();
        String token = null;
        do {
            String page = token;
            DescribeAccessPointsResponse listed = efs.describeAccessPoints(b -> b.fileSystemId(fileSystemId).nextToken(page));
            listed.accessPoints().stream()
                    .filter(ap -> Optional.ofNullable(ap.rootDirectory()).map(RootDirectory::path).filter(root::equals).isPresent())
                    .forEach(found::add);
            token = listed.nextToken();
        } while (token != null);
        return found;
    }
}
