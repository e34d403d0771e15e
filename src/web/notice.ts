/** The line above a page's content after a form was sent: what happened, or what went only half well. */
export interface PageNotice {
  kind: 'success' | 'info' | 'warning';
  text: string;
}
