/** Backend settings aws-vault takes as global flags, and the variables the backends read them from. */
export const BACKEND_FLAG_ENV = {
  'file-dir': 'AWS_VAULT_FILE_DIR',
  'pass-dir': 'AWS_VAULT_PASS_PASSWORD_STORE_DIR',
  'pass-cmd': 'AWS_VAULT_PASS_CMD',
  'pass-prefix': 'AWS_VAULT_PASS_PREFIX',
  'secret-service-collection': 'AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME',
  keychain: 'AWS_VAULT_KEYCHAIN_NAME',
} as const;
