// The double's admin unless a test gives another: Harbor's own default login. A module of its own
// so that tests which only need the login (unit tests, input builders) do not load the double.
export const HARBOR_ADMIN: Readonly<{ username: string; password: string }> = Object.freeze({
  username: 'admin',
  password: 'Harbor12345',
});
