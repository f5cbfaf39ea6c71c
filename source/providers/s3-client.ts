/**
 * S3 clients for one credential: one per region, the region of each bucket
 * detected once when the credential leaves it empty.
 */
import {GetBucketLocationCommand, HeadBucketCommand, S3Client} from '@aws-sdk/client-s3';
import type {CloudSyncError} from '../core/errors.js';
import type {S3Settings} from './s3-config.js';
import {S3Agents, S3HttpClient} from './s3-http.js';

/**
 * The SDK tries each request this many times in all (its default is 3).
 * Kept small because the sync engine retries whole files with backoff, but
 * not 1: a retry inside a multipart upload re-sends one part, not the file.
 */
export const s3MaxAttempts = 3;

/**
 * Sockets kept per host for the PutObject/UploadPart path: enough for a run's
 * transfers times the parts each uploads at once; only as many as requests
 * in flight are ever opened.
 */
const maxSocketsPerHost = 64;

export class S3ClientPool {
	private readonly clients = new Map<string, S3Client>();
	private readonly httpClients = new Map<string, S3HttpClient>();
	private agents: S3Agents | undefined;
	private readonly regions = new Map<string, Promise<string>>();

	constructor(
		private readonly settings: S3Settings,
		private readonly mapError: (error: unknown, action: string, bucket: string) => CloudSyncError,
	) {}

	/** The client for a bucket, in the bucket's region when none is configured. */
	async forBucket(bucket: string): Promise<S3Client> {
		if (this.settings.region) return this.forRegion(this.settings.region);
		return this.forRegion(await this.regionOf(bucket));
	}

	private regionOf(bucket: string): Promise<string> {
		let region = this.regions.get(bucket);
		if (!region) {
			region = this.detectRegion(bucket);
			this.regions.set(bucket, region);
			region.catch(() => this.regions.delete(bucket));
		}
		return region;
	}

	/** The lean PutObject/UploadPart client for a bucket (s3-http.ts), in the same region as forBucket's. */
	async httpForBucket(bucket: string): Promise<S3HttpClient> {
		const region = this.settings.region || (await this.regionOf(bucket));
		let client = this.httpClients.get(region);
		if (!client) {
			this.agents ??= new S3Agents(maxSocketsPerHost);
			client = new S3HttpClient({
				endpoint: this.settings.endpoint,
				region,
				forcePathStyle: this.settings.forcePathStyle,
				accessKeyId: this.settings.accessKeyId,
				secretAccessKey: this.settings.secretAccessKey,
				sessionToken: this.settings.sessionToken || undefined,
				maxAttempts: s3MaxAttempts,
				agents: this.agents,
				connectionTimeoutMs: 15_000,
				requestTimeoutMs: 120_000,
			});
			this.httpClients.set(region, client);
		}
		return client;
	}

	/** For calls without a bucket (ListBuckets). */
	forAnyBucket(): S3Client {
		return this.forRegion(this.settings.region || 'us-east-1');
	}

	destroy(): void {
		for (const client of this.clients.values()) client.destroy();
		this.clients.clear();
		this.httpClients.clear();
		this.agents?.destroy();
		this.agents = undefined;
	}

	/** GetBucketLocation, else the region HeadBucket names; services that answer neither are us-east-1. */
	private async detectRegion(bucket: string): Promise<string> {
		try {
			const output = await this.forRegion('us-east-1').send(new GetBucketLocationCommand({Bucket: bucket}));
			const constraint = output.LocationConstraint as string | undefined;
			if (!constraint) return 'us-east-1';
			if (constraint === 'EU') return 'eu-west-1';
			return constraint;
		} catch (error) {
			const mapped = this.mapError(error, `find the region of bucket "${bucket}"`, bucket);
			// Wrong keys, a missing bucket or an unreachable endpoint: say so now.
			if (['auth', 'not_found', 'unreachable', 'tls'].includes(mapped.kind)) throw mapped;
		}
		// Keys without s3:GetBucketLocation: S3 names the region in HeadBucket's answer, even a 403.
		try {
			const head = await this.forRegion('us-east-1').send(new HeadBucketCommand({Bucket: bucket}));
			return head.BucketRegion || 'us-east-1';
		} catch (error) {
			const headers = (error as {$response?: {headers?: Record<string, string>}}).$response?.headers ?? {};
			return headers['x-amz-bucket-region'] || 'us-east-1';
		}
	}

	private forRegion(region: string): S3Client {
		let client = this.clients.get(region);
		if (!client) {
			// The SDK warns on every start that its 2027 releases need Node 22; the
			// version pinned here runs on Node 20, and the warning would land in the TUI.
			process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
			const legacy = this.settings.legacyChecksums ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
			client = new S3Client({
				region,
				endpoint: this.settings.endpoint || undefined,
				forcePathStyle: this.settings.forcePathStyle,
				credentials: {
					accessKeyId: this.settings.accessKeyId,
					secretAccessKey: this.settings.secretAccessKey,
					...(this.settings.sessionToken ? {sessionToken: this.settings.sessionToken} : {}),
				},
				requestChecksumCalculation: legacy,
				responseChecksumValidation: legacy,
				maxAttempts: s3MaxAttempts,
				requestHandler: {connectionTimeout: 15_000, requestTimeout: 120_000},
			});
			this.clients.set(region, client);
		}
		return client;
	}
}
