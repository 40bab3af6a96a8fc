// An error meant for the person who acted: its message is shown to them as it is.
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
