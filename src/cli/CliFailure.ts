// Raised when a command cannot run at all (usage, an unreadable file, an unreachable gateway): exit status 2 and this message.
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliFailure';
  }
}
