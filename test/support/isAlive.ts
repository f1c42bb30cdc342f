// Whether a process still exists, by PID: signal 0 checks without sending anything.
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
