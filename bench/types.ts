/** One line of a benchmark: the same workload timed for cloudsync and rclone in one run. */
export type BenchRow = {
	workload: string;
	cloudsync: number;
	rclone: number;
	/** Unit of `cloudsync` and `rclone`, e.g. 's'. */
	unit: string;
	/** cloudsync / rclone (for times: below 1.0 means cloudsync is faster). */
	ratio: number;
	cloudsyncRssMb?: number;
	rcloneRssMb?: number;
	/** Median CPU seconds (user + system) of each side's process. */
	cloudsyncCpuS?: number;
	rcloneCpuS?: number;
};
