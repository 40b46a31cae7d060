export * from '@shared/charts/vae-options'
